// Neutral test pictures for the classifier tests and the bench: drawn as SVG, rendered by sharp. Only neutral
// material is ever generated or committed for these tests.

/** Sky gradient, sun, two rows of hills and a lake: what a "landscape" prompt gives. */
export function landscapeSvg(width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 1024 1024">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
    <stop offset="0" stop-color="#2f6fc9"/><stop offset="1" stop-color="#cfe6ff"/></linearGradient></defs>
  <rect width="1024" height="1024" fill="url(#sky)"/>
  <circle cx="770" cy="210" r="90" fill="#ffd64a"/>
  <path d="M0 640 Q 220 430 470 620 T 1024 580 V1024 H0Z" fill="#4f9a4a"/>
  <path d="M0 760 Q 320 640 640 770 T 1024 740 V1024 H0Z" fill="#2d6a33"/>
  <path d="M0 880 H1024 V1024 H0Z" fill="#3d7fb8"/>
</svg>`;
}

/** Black strokes on white: a house, a tree and a cloud. */
export function lineDrawingSvg(width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 512 512">
  <rect width="512" height="512" fill="#ffffff"/>
  <g fill="none" stroke="#111111" stroke-width="4" stroke-linecap="round" stroke-linejoin="round">
    <path d="M80 300 L180 210 L280 300 Z"/><rect x="100" y="300" width="160" height="130"/>
    <rect x="160" y="360" width="40" height="70"/><rect x="115" y="320" width="35" height="30"/>
    <path d="M380 430 V330"/><circle cx="380" cy="290" r="55"/>
    <path d="M300 120 q20 -40 60 -20 q30 -30 60 0 q35 0 30 30 q-10 25 -40 20 h-90 q-40 -5 -20 -30Z"/>
    <path d="M40 430 H480"/>
  </g>
</svg>`;
}
