// The control room map: Leaflet with the offline base map of the site, asset markers in their state
// colours, clustered when dense (a cluster shows its worst state). One instance per component; the
// component pushes only the markers whose state changed.
const L = window.L;

// An asset with a standing alarm gets a ring in its worst alarm priority's colour and a badge with the
// priority's shape, so the alarm reads without colour too.
function markerIcon(m) {
    const alarm = m.alarm
        ? `<span class="cityops-marker-alarm cityops-prio--${m.alarm}" style="--alarm-colour:${m.alarmColour}">${m.alarmGlyph}</span>`
        : "";
    return L.divIcon({
        className: "",
        html: `<span class="cityops-marker cityops-marker--${m.state}${m.alarm ? " cityops-marker--alarm" : ""}" style="--marker-colour:${m.colour};${m.alarm ? `--alarm-colour:${m.alarmColour}` : ""}">${alarm}</span>`,
        iconSize: [18, 18],
        iconAnchor: [9, 9],
    });
}

function markerTitle(m) {
    return m.alarm ? `${m.name} (${m.label}; ${m.alarmLabel} alarm)` : `${m.name} (${m.label})`;
}

export function create(element, options, component) {
    // The map may have left the page while the call was on its way; Leaflet would throw on the missing container
    // and end the operator's whole session.
    if (!element?.isConnected) return null;
    const map = L.map(element, { zoomControl: true, attributionControl: !!options.tileUrl, keyboard: true, minZoom: 3, maxZoom: 19 })
        .setView([options.latitude, options.longitude], options.zoom);
    if (options.tileUrl) {
        L.tileLayer(options.tileUrl, { maxZoom: 19, attribution: options.tileAttribution || "" }).addTo(map);
    }
    const byId = new Map();
    const severity = options.severity; // state name -> rank, worse is larger
    const colours = options.colours;    // state name -> CSS colour
    const clusters = L.markerClusterGroup({
        showCoverageOnHover: false,
        maxClusterRadius: 40,
        iconCreateFunction: cluster => {
            let worst = "normal";
            for (const m of cluster.getAllChildMarkers()) {
                if (severity[m.options.state] > severity[worst]) worst = m.options.state;
            }
            return L.divIcon({
                className: "",
                html: `<span class="cityops-cluster cityops-marker--${worst}" style="--marker-colour:${colours[worst]}">${cluster.getChildCount()}</span>`,
                iconSize: [30, 30],
                iconAnchor: [15, 15],
            });
        },
    });
    map.addLayer(clusters);

    if (options.baseMapUrl) {
        fetch(options.baseMapUrl)
            .then(r => r.ok ? r.json() : null)
            .then(geojson => {
                if (!geojson || !byId) return;
                L.geoJSON(geojson, {
                    interactive: false,
                    style: f => ({ className: `cityops-map-${f.properties.kind}` }),
                }).addTo(map).bringToBack();
            })
            .catch(e => console.warn("cityops: base map not loaded", e));
    }

    const handle = {
        setMarkers(markers) {
            clusters.clearLayers();
            byId.clear();
            const layers = markers.map(m => {
                const marker = L.marker([m.latitude, m.longitude], {
                    icon: markerIcon(m), state: m.state, title: markerTitle(m), keyboard: true,
                });
                marker.on("click", () => component.invokeMethodAsync("SelectAsset", m.id));
                byId.set(m.id, marker);
                element.dataset.markers = String(byId.size);
                return marker;
            });
            clusters.addLayers(layers);
            element.dataset.markers = String(byId.size);
        },
        updateStates(changes) {
            const changed = [];
            for (const c of changes) {
                const marker = byId.get(c.id);
                if (!marker) continue;
                marker.options.state = c.state;
                marker.options.title = markerTitle(c);
                marker.setIcon(markerIcon(c));
                changed.push(marker);
            }
            if (changed.length) clusters.refreshClusters(changed);
        },
        focus(id) {
            const marker = byId.get(id);
            if (marker) clusters.zoomToShowLayer(marker, () => marker.openTooltip?.());
        },
        invalidateSize() { map.invalidateSize(); },
        dispose() {
            map.remove();
            byId.clear();
        },
    };
    return handle;
}
