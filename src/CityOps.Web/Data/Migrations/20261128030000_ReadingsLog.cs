using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CityOps.Web.Data.Migrations
{
    /// <summary>
    /// A write transaction no longer copies its readings into <c>readings</c>: its <c>rollup_delta</c> row is the durable
    /// record of them (<c>stored = false</c>), and the rollup worker stores them in <c>readings</c> in large COPYs and
    /// merges them into the rollups in one transaction. Rows written before this migration, and rows of an instance of
    /// the earlier version still running during an upgrade (which does not name the column), were stored by their own
    /// transaction already and are only merged.
    /// </summary>
    public partial class ReadingsLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE rollup_delta ADD COLUMN stored boolean NOT NULL DEFAULT true;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The earlier schema assumes every delta's readings are stored; readings still waiting would be lost.
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                    IF EXISTS (SELECT 1 FROM rollup_delta WHERE NOT stored) THEN
                        RAISE EXCEPTION 'rollup_delta holds readings not yet stored in readings: run this version until the rollup worker has stored them, then migrate down';
                    END IF;
                END $$;
                ALTER TABLE rollup_delta DROP COLUMN stored;
                """);
        }
    }
}
