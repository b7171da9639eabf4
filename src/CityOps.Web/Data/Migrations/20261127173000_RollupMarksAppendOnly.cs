using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CityOps.Web.Data.Migrations
{
    /// <summary>
    /// Marks of minutes awaiting recomputation become append-only: one row per transaction and minute, no unique key.
    /// With one row per minute, every writer updated the same row and so waited for the other writers' commits
    /// whenever they wrote to the same minute (always, at high rates); appended rows never wait. The rollup worker
    /// takes all visible rows of a due minute at once; a row appended by a transaction still in flight stays and
    /// brings its minute back on a later pass.
    /// </summary>
    public partial class RollupMarksAppendOnly : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE rollup_pending DROP CONSTRAINT rollup_pending_pkey;
                ALTER TABLE rollup_pending DROP COLUMN first_dirtied_at;
                ALTER TABLE rollup_pending SET (fillfactor = 100);
                CREATE INDEX rollup_pending_bucket ON rollup_pending (bucket);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE rollup_pending_marks AS
                    SELECT bucket, min(dirtied_at) AS first_dirtied_at, max(dirtied_at) AS dirtied_at FROM rollup_pending GROUP BY bucket;
                DROP TABLE rollup_pending;
                CREATE TABLE rollup_pending (
                    bucket           timestamptz NOT NULL PRIMARY KEY,
                    first_dirtied_at timestamptz NOT NULL,
                    dirtied_at       timestamptz NOT NULL
                ) WITH (fillfactor = 50);
                INSERT INTO rollup_pending SELECT bucket, first_dirtied_at, dirtied_at FROM rollup_pending_marks;
                DROP TABLE rollup_pending_marks;
                """);
        }
    }
}
