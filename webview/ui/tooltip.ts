/**
 * A hover tooltip fixed to the viewport (a scrolling card would clip it), on the side of the
 * pointer that has room for it: used by the heatmap and the confusion matrix.
 */
export function placeTooltip(tooltip: HTMLElement, e: MouseEvent): void {
  const tw = tooltip.offsetWidth, th = tooltip.offsetHeight;
  const tx = e.clientX + 12 + tw > window.innerWidth ? e.clientX - 12 - tw : e.clientX + 12;
  const ty = e.clientY + 12 + th > window.innerHeight ? e.clientY - 12 - th : e.clientY + 12;
  tooltip.style.left = `${Math.max(0, tx)}px`;
  tooltip.style.top = `${Math.max(0, ty)}px`;
}
