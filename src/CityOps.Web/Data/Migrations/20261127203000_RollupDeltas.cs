using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CityOps.Web.Data.Migrations
{
    /// <summary>
    /// The readings a write transaction stored, as one compact row in the same transaction (<c>rollup_delta</c>), so
    /// the rollup worker merges them into the rollups instead of reading the raw rows of their minutes back.
    /// <c>first_bucket</c> and <c>last_bucket</c> are the first and last minute the readings fall in (the packer waits
    /// for them); <c>readings</c> is never compressed or kept inline (<c>STORAGE EXTERNAL</c>): it is written once and
    /// read once.
    /// </summary>
    public partial class RollupDeltas : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE rollup_delta (
                    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    written_at   timestamptz NOT NULL,
                    first_bucket timestamptz NOT NULL,
                    last_bucket  timestamptz NOT NULL,
                    readings     bytea       NOT NULL
                );
                ALTER TABLE rollup_delta ALTER COLUMN readings SET STORAGE EXTERNAL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Readings not yet merged are in the raw rows: marking their minutes has them recomputed instead.
            migrationBuilder.Sql("""
                INSERT INTO rollup_pending (bucket, dirtied_at)
                SELECT DISTINCT m, d.written_at FROM rollup_delta d, generate_series(d.first_bucket, d.last_bucket, INTERVAL '1 minute') AS m;
                DROP TABLE rollup_delta;
                """);
        }
    }
}
