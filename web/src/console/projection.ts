// Latitude/longitude to a flat plane in metres around a fixed origin
// (equirectangular: exact enough over a city's few kilometres, and a
// service radius in metres is a circle of that radius on the plane). y
// grows southwards, as SVG's does.

import type { GeoPoint } from '../shared/api';

const METRES_PER_DEGREE_LAT = 110_574;
const METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320;

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export class Projection {
  private readonly kx: number;

  constructor(readonly origin: GeoPoint) {
    this.kx = METRES_PER_DEGREE_LON_AT_EQUATOR * Math.cos((origin.lat * Math.PI) / 180);
  }

  toPlane(p: GeoPoint): Point {
    return { x: (p.lon - this.origin.lon) * this.kx, y: -(p.lat - this.origin.lat) * METRES_PER_DEGREE_LAT };
  }

  toGeo(p: Point): GeoPoint {
    return { lat: this.origin.lat - p.y / METRES_PER_DEGREE_LAT, lon: this.origin.lon + p.x / this.kx };
  }
}

// The smallest box holding every circle (centre, radius), grown by `margin`
// of its size on each side and never smaller than `minSize` metres across.
export function fitBox(circles: { p: Point; r: number }[], margin = 0.06, minSize = 500): Box {
  if (circles.length === 0) return { x: -minSize / 2, y: -minSize / 2, w: minSize, h: minSize };
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const { p, r } of circles) {
    x0 = Math.min(x0, p.x - r);
    y0 = Math.min(y0, p.y - r);
    x1 = Math.max(x1, p.x + r);
    y1 = Math.max(y1, p.y + r);
  }
  let w = Math.max(x1 - x0, minSize);
  let h = Math.max(y1 - y0, minSize);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  w *= 1 + 2 * margin;
  h *= 1 + 2 * margin;
  return { x: cx - w / 2, y: cy - h / 2, w, h };
}

// `box` scaled by `factor` (< 1 zooms in) keeping `at` at the same place.
export function zoomBox(box: Box, factor: number, at: Point): Box {
  return {
    x: at.x - (at.x - box.x) * factor,
    y: at.y - (at.y - box.y) * factor,
    w: box.w * factor,
    h: box.h * factor,
  };
}
