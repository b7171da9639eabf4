// Generates the demo city's offline base map (maps/city.geojson) and the plant schematic layout
// (plant/plant1.json) from the coordinates and keys of src/CityOps.Simulator/World/DemoWorld.cs.
// Run once after changing the demo world:  node generate-demo-maps.mjs && ./vendor.sh
import { writeFileSync } from "node:fs";

const cityLat = 51.9225, cityLon = 4.4792;
const kmLat = 1 / 111.0, kmLon = 1 / (111.0 * Math.cos(cityLat * Math.PI / 180));
const districts = [
  ["old_harbour", "Old Harbour", 0.0, 0.0], ["market", "Market Quarter", 1.2, 0.8], ["riverside", "Riverside", -0.3, -1.6],
  ["northgate", "Northgate", 2.6, 0.2], ["eastfield", "Eastfield", 0.6, 3.0], ["southbank", "Southbank", -2.4, 0.9],
  ["westwood", "Westwood", 0.4, -3.1], ["parkhill", "Parkhill", -1.9, -2.6],
];
// Main roads between neighbouring districts (by key), as the city's arterials.
const arterials = [
  ["old_harbour", "market"], ["old_harbour", "riverside"], ["old_harbour", "southbank"], ["market", "northgate"],
  ["market", "eastfield"], ["riverside", "westwood"], ["riverside", "parkhill"], ["southbank", "parkhill"], ["southbank", "eastfield"],
];
const round = v => Math.round(v * 1e6) / 1e6;
const at = (north, east) => [round(cityLon + east * kmLon), round(cityLat + north * kmLat)];
const ring = (north, east, radiusKm, corners, turn = 0) => {
  const points = [];
  for (let i = 0; i <= corners; i++) {
    const a = turn + (2 * Math.PI * (i % corners)) / corners;
    points.push(at(north + radiusKm * Math.sin(a), east + radiusKm * Math.cos(a)));
  }
  return points;
};
const byKey = Object.fromEntries(districts.map(d => [d[0], d]));
const features = [];
for (const [key, name, north, east] of districts) {
  // The district covers its intersections (±0.35 km) and stations with a margin.
  features.push({ type: "Feature", properties: { kind: "district", key: `city.${key}`, name }, geometry: { type: "Polygon", coordinates: [ring(north, east, 0.7, 8, Math.PI / 8)] } });
  features.push({ type: "Feature", properties: { kind: "water_zone", key: `city.${key}.wz`, name: `${name} water zone` }, geometry: { type: "Polygon", coordinates: [ring(north - 0.2, east - 0.25, 0.4, 6)] } });
  // Avenues and crossings through the district's four intersections (x1..x4 at ±0.35 km).
  for (const dn of [-0.35, 0.35]) {
    features.push({ type: "Feature", properties: { kind: "street", name: `${name} avenue` }, geometry: { type: "LineString", coordinates: [at(north + dn, east - 0.65), at(north + dn, east + 0.65)] } });
  }
  for (const de of [-0.35, 0.35]) {
    features.push({ type: "Feature", properties: { kind: "street", name: `${name} crossing` }, geometry: { type: "LineString", coordinates: [at(north - 0.65, east + de), at(north + 0.65, east + de)] } });
  }
}
for (const [a, b] of arterials) {
  const [, nameA, nA, eA] = byKey[a], [, nameB, nB, eB] = byKey[b];
  features.push({ type: "Feature", properties: { kind: "main_road", name: `${nameA} – ${nameB}` }, geometry: { type: "LineString", coordinates: [at(nA, eA), at(nB, eB)] } });
}
writeFileSync("maps/city.geojson", JSON.stringify({ type: "FeatureCollection", name: "Havenport", features }, null, 1) + "\n");

// The plant: three lines of five machines, left to right in flow order, in schematic units (not metres).
const lines = [
  ["line1", "Stamping line", ["uncoiler", "press1", "press2", "press3", "stacker"]],
  ["line2", "Machining line", ["lathe1", "lathe2", "mill1", "mill2", "washer"]],
  ["line3", "Assembly line", ["feeder", "press", "welder", "tester", "packer"]],
];
const plant = {
  site: "plant1", name: "Havenport Works", width: 1240, height: 40 + lines.length * 230,
  values: ["motor_temp", "vibration", "current"],
  lines: lines.map(([slug, name, machines], l) => ({
    key: `plant1.${slug}`, name, y: 40 + l * 230,
    machines: machines.map((m, i) => ({ key: `plant1.${slug}.${m}`, name: m, x: 20 + i * 245, width: 215, height: 180 })),
  })),
};
writeFileSync("plant/plant1.json", JSON.stringify(plant, null, 1) + "\n");
console.log(`generate-demo-maps: ${features.length} map features, ${lines.length} plant lines`);
