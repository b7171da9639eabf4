using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CityOps.Web.Data.Migrations
{
    /// <summary>
    /// Replaces the (sensor_id, ts) primary key of <c>readings</c>, which made every insert land in one of
    /// thousands of sensors' key ranges, by per-partition unique indexes: <c>(ts, sensor_id)</c> from birth
    /// (inserts append in time order) and <c>(sensor_id, ts)</c> built in bulk when the partition's day is over.
    /// Existing partitions get both.
    /// </summary>
    public partial class ReadingsTimeOrderedKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DO $$
                DECLARE p text;
                BEGIN
                    FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                             WHERE i.inhparent = 'readings'::regclass
                    LOOP
                        EXECUTE format('CREATE UNIQUE INDEX %I ON %I (ts, sensor_id)', p || '_ts_key', p);
                        EXECUTE format('CREATE UNIQUE INDEX %I ON %I (sensor_id, ts)', p || '_sensor_key', p);
                    END LOOP;
                END $$;
                """);
            migrationBuilder.Sql("ALTER TABLE readings DROP CONSTRAINT readings_pkey;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DO $$
                DECLARE p text;
                BEGIN
                    FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                             WHERE i.inhparent = 'readings'::regclass
                    LOOP
                        EXECUTE format('DROP INDEX IF EXISTS %I', p || '_ts_key');
                        EXECUTE format('DROP INDEX IF EXISTS %I', p || '_sensor_key');
                    END LOOP;
                END $$;
                """);
            migrationBuilder.Sql("ALTER TABLE readings ADD PRIMARY KEY (sensor_id, ts);");
        }
    }
}
