using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CityOps.Web.Data.Migrations
{
    /// <summary>
    /// Raw readings (daily range partitions), their 1-minute (monthly partitions) and 1-hour rollups, and the
    /// queue of committed readings awaiting their merge into the rollups.
    /// They are not part of the EF model: the ingest writer and the series queries use Npgsql directly,
    /// and the writer and the maintenance worker create partitions as time goes by.
    /// </summary>
    public partial class ReadingsStorage : Migration
    {
        private const string RollupColumns = """
            sensor_id   integer          NOT NULL,
            bucket      timestamptz      NOT NULL,
            count       bigint           NOT NULL,
            sum         double precision NOT NULL,
            min         double precision NOT NULL,
            max         double precision NOT NULL,
            sum_sq      double precision NOT NULL,
            first_ts    timestamptz      NOT NULL,
            first_value double precision NOT NULL,
            last_ts     timestamptz      NOT NULL,
            last_value  double precision NOT NULL,
            PRIMARY KEY (sensor_id, bucket)
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE readings (
                    sensor_id integer          NOT NULL,
                    ts        timestamptz      NOT NULL,
                    value     double precision NOT NULL,
                    PRIMARY KEY (sensor_id, ts)
                ) PARTITION BY RANGE (ts);
                """);
            migrationBuilder.Sql($"CREATE TABLE rollup_1m ({RollupColumns}) PARTITION BY RANGE (bucket);");
            // Rows of the current hour are updated by every batch; free space per page keeps those updates HOT.
            migrationBuilder.Sql($"CREATE TABLE rollup_1h ({RollupColumns}) WITH (fillfactor = 80);");
            // Readings committed but not yet merged into the rollups: written in the same transaction as the
            // raw rows, drained by the rollup worker in large groups. Insert-and-delete only, hence no index.
            migrationBuilder.Sql("""
                CREATE TABLE rollup_pending (
                    sensor_id integer          NOT NULL,
                    ts        timestamptz      NOT NULL,
                    value     double precision NOT NULL
                ) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 100000, autovacuum_vacuum_insert_scale_factor = 0);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE IF EXISTS rollup_pending;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS rollup_1h;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS rollup_1m;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS readings;");
        }
    }
}
