// A small Leaflet map to pick a location: a click sets the marker and tells the component the
// latitude and longitude (6 decimals, about 0.1 m). The component moves the marker when the
// fields are typed in instead.
const L = window.L;

function round(x) {
    return Math.round(x * 1e6) / 1e6;
}

export function create(element, options, component) {
    // The map may have left the page while the call was on its way; Leaflet would throw on the missing container
    // and end the operator's whole session.
    if (!element?.isConnected) return null;
    const map = L.map(element, { zoomControl: true, attributionControl: !!options.tileUrl, keyboard: true, minZoom: 2, maxZoom: 19 })
        .setView([options.latitude, options.longitude], options.zoom);
    if (options.tileUrl) {
        L.tileLayer(options.tileUrl, { maxZoom: 19, attribution: options.tileAttribution || "" }).addTo(map);
    }
    if (options.baseMapUrl) {
        fetch(options.baseMapUrl)
            .then(r => r.ok ? r.json() : null)
            .then(geojson => {
                if (!geojson) return;
                L.geoJSON(geojson, { interactive: false, style: f => ({ className: `cityops-map-${f.properties.kind}` }) })
                    .addTo(map).bringToBack();
            })
            .catch(e => console.warn("cityops: base map not loaded", e));
    }
    let marker = null;
    function place(lat, lon) {
        if (marker) {
            marker.setLatLng([lat, lon]);
        } else {
            marker = L.marker([lat, lon], { keyboard: false, title: "Chosen location" }).addTo(map);
        }
        element.dataset.lat = String(lat);
        element.dataset.lon = String(lon);
    }
    if (options.markerLatitude !== null && options.markerLongitude !== null) {
        place(options.markerLatitude, options.markerLongitude);
    }
    map.on("click", e => {
        const p = e.latlng.wrap();
        const lat = round(p.lat), lon = round(p.lng);
        place(lat, lon);
        component.invokeMethodAsync("Pick", lat, lon);
    });
    // The map may be created inside a panel that is still growing.
    setTimeout(() => map.invalidateSize(), 100);
    return {
        setMarker(lat, lon) {
            if (lat === null || lon === null) {
                if (marker) {
                    marker.remove();
                    marker = null;
                }
                return;
            }
            place(lat, lon);
            if (!map.getBounds().contains([lat, lon])) {
                map.panTo([lat, lon]);
            }
        },
        dispose() {
            map.remove();
        },
    };
}
