/*
 * The story map. Reads its configuration from data- attributes on [data-story-map]
 * (components/story_map.html), draws one marker per place from the JSON of
 * stories/views.py::map_data_json, and opens a popup listing that place's stories.
 *
 * Keyboard: markers are buttons in the tab order (Leaflet's `keyboard` option); Enter or
 * Space opens the popup and moves focus into it; Escape closes it and returns focus to the
 * marker. No inline scripts or styles: the page can run under a strict CSP.
 * Without JavaScript (or if this fails), the list beside the map shows the same stories.
 */
(function () {
    "use strict";

    var POPUP_STORIES = 5;

    function element(tag, className, text) {
        var node = document.createElement(tag);
        if (className) node.className = className;
        if (text !== undefined) node.textContent = text;
        return node;
    }

    function storyItem(story, data, labels) {
        var item = element("li", "map-popup__story");
        var image = element("img", "map-popup__image");
        image.src = data.thumbnail.replace("{id}", String(story.id));
        image.alt = "";
        image.width = 56;
        image.height = 56;
        image.loading = "lazy";
        item.appendChild(image);

        var text = element("div", "map-popup__text");
        var link = element("a", "map-popup__link", story.title);
        link.href = story.url;
        text.appendChild(link);
        text.appendChild(element("span", "map-popup__name", story.name || labels.survivor));

        var progress = element("progress", "progress progress--small");
        progress.max = 100;
        progress.value = story.progress;
        progress.textContent = story.progress + "%";
        progress.setAttribute("aria-label", story.progress + "% " + labels.funded);
        text.appendChild(progress);
        item.appendChild(text);
        return item;
    }

    function popupContent(place, data, labels, indexUrl) {
        var box = element("div", "map-popup");
        var count = place.stories.length;
        box.appendChild(element("h3", "map-popup__heading", place.name));
        box.appendChild(
            element("p", "map-popup__count", count + " " + (count === 1 ? labels.story : labels.stories))
        );
        var list = element("ul", "map-popup__stories");
        place.stories.slice(0, POPUP_STORIES).forEach(function (story) {
            list.appendChild(storyItem(story, data, labels));
        });
        box.appendChild(list);
        if (count > POPUP_STORIES && indexUrl) {
            var more = element("a", "map-popup__more", labels.all + " " + place.name);
            more.href = indexUrl + "?region=" + encodeURIComponent(place.code);
            box.appendChild(more);
        }
        return box;
    }

    function markerIcon(place) {
        var count = place.stories.length;
        return L.divIcon({
            className: "map-marker" + (count > 1 ? " map-marker--cluster" : ""),
            html: count > 1 ? "<span>" + count + "</span>" : "<span></span>",
            iconSize: count > 1 ? [40, 40] : [26, 26],
            popupAnchor: [0, -14],
        });
    }

    function showError(container, message) {
        var note = element("p", "story-map__error", message);
        note.setAttribute("role", "status");
        container.appendChild(note);
    }

    function drawMap(container) {
        var labels = {
            story: container.dataset.labelStory,
            stories: container.dataset.labelStories,
            survivor: container.dataset.labelSurvivor,
            funded: container.dataset.labelFunded,
            all: container.dataset.labelAll,
            error: container.dataset.labelError,
        };
        var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        var placeholder = container.querySelector(".story-map__placeholder");
        if (placeholder) placeholder.remove();

        var map = L.map(container, {
            center: [14, 102],
            zoom: 4,
            minZoom: 2,
            maxZoom: Number(container.dataset.maxZoom) || 9,
            scrollWheelZoom: false,
            zoomAnimation: !reduceMotion,
            fadeAnimation: !reduceMotion,
            markerZoomAnimation: !reduceMotion,
        });
        L.tileLayer(container.dataset.tileUrl, {
            attribution: container.dataset.tileAttribution,
            maxZoom: Number(container.dataset.maxZoom) || 9,
        }).addTo(map);

        var indexUrl = container.dataset.indexUrl || "";
        var lastMarker = null;

        map.on("popupopen", function (event) {
            var link = event.popup.getElement().querySelector("a.map-popup__link");
            if (link) link.focus();
        });
        map.on("popupclose", function () {
            if (lastMarker && lastMarker.getElement()) lastMarker.getElement().focus();
        });

        fetch(container.dataset.storiesUrl, { headers: { Accept: "application/json" } })
            .then(function (response) {
                if (!response.ok) throw new Error(response.status);
                return response.json();
            })
            .then(function (data) {
                var bounds = [];
                data.places.forEach(function (place) {
                    var count = place.stories.length;
                    var label = place.name + ": " + count + " " + (count === 1 ? labels.story : labels.stories);
                    var marker = L.marker([place.lat, place.lng], {
                        icon: markerIcon(place),
                        keyboard: true,
                        title: label,
                        alt: label,
                        riseOnHover: true,
                    });
                    marker.bindPopup(function () {
                        return popupContent(place, data, labels, indexUrl);
                    }, { maxWidth: 320, minWidth: 240, autoPanPadding: [24, 24] });
                    marker.on("click", function () {
                        lastMarker = marker;
                    });
                    marker.addTo(map);
                    var icon = marker.getElement();
                    icon.setAttribute("aria-label", label);
                    icon.setAttribute("data-place", place.code);
                    // Space opens the popup too, as it would for any button.
                    icon.addEventListener("keydown", function (event) {
                        if (event.key === " ") {
                            event.preventDefault();
                            lastMarker = marker;
                            marker.openPopup();
                        } else if (event.key === "Enter") {
                            lastMarker = marker;
                        }
                    });
                    bounds.push([place.lat, place.lng]);
                });
                if (bounds.length > 1) {
                    map.fitBounds(bounds, { padding: [40, 40], maxZoom: 6, animate: false });
                } else if (bounds.length === 1) {
                    map.setView(bounds[0], 6, { animate: false });
                }
                container.setAttribute("data-markers", String(data.places.length));
            })
            .catch(function () {
                showError(container, labels.error);
            });

        container.addEventListener("keydown", function (event) {
            if (event.key === "Escape") map.closePopup();
        });
    }

    function start() {
        if (typeof L === "undefined") return;
        Array.prototype.forEach.call(document.querySelectorAll("[data-story-map]"), drawMap);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
