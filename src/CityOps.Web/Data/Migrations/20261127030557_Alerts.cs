using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CityOps.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class Alerts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSequence(
                name: "alarms_hilo",
                incrementBy: 10);

            migrationBuilder.CreateTable(
                name: "alarms",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false),
                    rule_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    rule_version = table.Column<int>(type: "integer", nullable: false),
                    rule_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    source_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    sensor_id = table.Column<int>(type: "integer", nullable: true),
                    sensor_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    asset_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    site_key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    area = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    priority = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    state = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    condition_active = table.Column<bool>(type: "boolean", nullable: false),
                    message = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    detail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    value = table.Column<double>(type: "double precision", nullable: true),
                    unit = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    score = table.Column<double>(type: "double precision", nullable: false),
                    predicted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    raised_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    cleared_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    acknowledged_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    acknowledged_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    shelved_until = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    shelved_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    shelve_reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    out_of_service_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    chattering = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alarms", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alert_rule_versions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    rule_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    definition = table.Column<string>(type: "jsonb", nullable: false),
                    saved_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    saved_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    change_note = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_rule_versions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alert_rules",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    definition = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_rules", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "model_states",
                columns: table => new
                {
                    rule_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    source_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    saved_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_model_states", x => new { x.rule_key, x.source_key });
                });

            migrationBuilder.CreateTable(
                name: "alarm_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    alarm_id = table.Column<long>(type: "bigint", nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    actor = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    from_state = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    to_state = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alarm_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_alarm_events_alarms_alarm_id",
                        column: x => x.alarm_id,
                        principalTable: "alarms",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_alarm_events_alarm_id_at",
                table: "alarm_events",
                columns: new[] { "alarm_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_alarms_raised_at",
                table: "alarms",
                column: "raised_at");

            migrationBuilder.CreateIndex(
                name: "ix_alarms_standing_binding",
                table: "alarms",
                columns: new[] { "rule_key", "source_key" },
                unique: true,
                filter: "state <> 'Normal'");

            migrationBuilder.CreateIndex(
                name: "ix_alarms_state",
                table: "alarms",
                column: "state");

            migrationBuilder.CreateIndex(
                name: "ix_alert_rule_versions_rule_key_version",
                table: "alert_rule_versions",
                columns: new[] { "rule_key", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_alert_rules_key",
                table: "alert_rules",
                column: "key",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alarm_events");

            migrationBuilder.DropTable(
                name: "alert_rule_versions");

            migrationBuilder.DropTable(
                name: "alert_rules");

            migrationBuilder.DropTable(
                name: "model_states");

            migrationBuilder.DropTable(
                name: "alarms");

            migrationBuilder.DropSequence(
                name: "alarms_hilo");
        }
    }
}
