// Firefox starts dragging an element only when the drag carries data: give every dragged tree
// row its asset key. The drop itself is handled by the component.
document.addEventListener("dragstart", e => {
    const key = e.target instanceof HTMLElement ? e.target.dataset.dragKey : undefined;
    if (key && e.dataTransfer) {
        e.dataTransfer.setData("text/plain", key);
        e.dataTransfer.effectAllowed = "move";
    }
});
