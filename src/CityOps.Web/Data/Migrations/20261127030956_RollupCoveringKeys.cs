using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CityOps.Web.Data.Migrations
{
    /// <summary>
    /// Chart queries read mean, min and max of many sensors over a time range. With those columns in the primary
    /// key's index the read is an index-only scan in (sensor, time) order: no heap page per row (rollup rows are
    /// written in time order, so one sensor's rows are spread over every page) and no sort. Index-only scans
    /// need an up-to-date visibility map, so rollup tables are vacuumed after every 20,000 inserted rows.
    /// </summary>
    public partial class RollupCoveringKeys : Migration
    {
        private const string FrequentInsertVacuum = "autovacuum_vacuum_insert_threshold = 20000, autovacuum_vacuum_insert_scale_factor = 0";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE rollup_1m DROP CONSTRAINT rollup_1m_pkey;
                ALTER TABLE rollup_1m ADD CONSTRAINT rollup_1m_pkey PRIMARY KEY (sensor_id, bucket) INCLUDE (count, sum, min, max);
                ALTER TABLE rollup_1h DROP CONSTRAINT rollup_1h_pkey;
                ALTER TABLE rollup_1h ADD CONSTRAINT rollup_1h_pkey PRIMARY KEY (sensor_id, bucket) INCLUDE (count, sum, min, max);
                """);
            migrationBuilder.Sql($"ALTER TABLE rollup_1h SET ({FrequentInsertVacuum});");
            migrationBuilder.Sql($$"""
                DO $$
                DECLARE p regclass;
                BEGIN
                    FOR p IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'rollup_1m'::regclass LOOP
                        EXECUTE format('ALTER TABLE %s SET ({{FrequentInsertVacuum}})', p);
                    END LOOP;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE rollup_1m DROP CONSTRAINT rollup_1m_pkey;
                ALTER TABLE rollup_1m ADD CONSTRAINT rollup_1m_pkey PRIMARY KEY (sensor_id, bucket);
                ALTER TABLE rollup_1h DROP CONSTRAINT rollup_1h_pkey;
                ALTER TABLE rollup_1h ADD CONSTRAINT rollup_1h_pkey PRIMARY KEY (sensor_id, bucket);
                ALTER TABLE rollup_1h RESET (autovacuum_vacuum_insert_threshold, autovacuum_vacuum_insert_scale_factor);
                """);
        }
    }
}
