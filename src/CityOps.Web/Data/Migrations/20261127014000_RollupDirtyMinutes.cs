using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CityOps.Web.Data.Migrations
{
    /// <summary>
    /// <c>rollup_pending</c> holds the minutes whose rollups must be recomputed from the raw rows instead of a copy of
    /// every reading. Readings still queued in the old shape become marks of their minutes.
    /// </summary>
    public partial class RollupDirtyMinutes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE rollup_pending RENAME TO rollup_pending_readings;");
            migrationBuilder.Sql("""
                CREATE TABLE rollup_pending (
                    bucket           timestamptz NOT NULL PRIMARY KEY,
                    first_dirtied_at timestamptz NOT NULL,
                    dirtied_at       timestamptz NOT NULL
                ) WITH (fillfactor = 50);
                """);
            migrationBuilder.Sql("""
                INSERT INTO rollup_pending (bucket, first_dirtied_at, dirtied_at)
                SELECT DISTINCT date_bin('1 minute', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00'), now(), now() FROM rollup_pending_readings;
                """);
            migrationBuilder.Sql("DROP TABLE rollup_pending_readings;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE rollup_pending;");
            migrationBuilder.Sql("""
                CREATE TABLE rollup_pending (
                    sensor_id integer          NOT NULL,
                    ts        timestamptz      NOT NULL,
                    value     double precision NOT NULL
                ) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 100000, autovacuum_vacuum_insert_scale_factor = 0);
                """);
        }
    }
}
