// The service's JSON API as the console uses it: bearer token, JSON in and
// out, errors as ApiError with the service's message. Shapes follow
// docs/openapi.yaml; fields the console does not read are left out.

export interface GeoPoint {
  lat: number;
  lon: number;
  system?: string;
}

export interface TimelineEntry {
  time_ms: number;
  status: string;
  note: string;
}

export interface Order {
  order_id: string;
  area_id: string;
  site_id: string;
  elder_id: string;
  status: string;
  courier_id: string;
  meals: number;
  window: { start_ms: number; end_ms: number };
  placed_ms: number;
  ready_ms: number;
  picked_up_ms: number;
  done_ms: number;
  batch_id: string;
  hub_household_id: string;
  standing_id: string;
  proof_ref: string | null;
  timeline?: TimelineEntry[];
}

export interface RouteStop {
  kind: 'PICKUP' | 'DELIVERY';
  order_id: string;
  site_id: string;
  planned_arrival_ms: number;
  planned_departure_ms: number;
  stop_index: number;
  location?: GeoPoint;
}

export interface Courier {
  courier_id: string;
  area_id: string;
  team_id: string;
  on_shift: boolean;
  available: boolean;
  box_capacity: number;
  shift_end_ms: number;
  location_ms: number;
  plan_version: number;
  route: RouteStop[];
  location?: GeoPoint;
}

export interface Site {
  site_id: string;
  area_id: string;
  name: string;
  facility_number: string;
  location: GeoPoint;
  radius_m: number;
}

export interface Alert {
  alert_id: string;
  area_id: string;
  kind: string;
  severity: string;
  order_id: string;
  courier_id: string;
  elder_id: string;
  site_id: string;
  case_id: string;
  reason: string;
  time_ms: number;
  status: 'open' | 'acknowledged';
  acknowledged_by?: string;
  note?: string;
  acknowledged_ms?: number;
}

export interface WellnessCase {
  case_id: string;
  area_id: string;
  order_id: string;
  elder_id: string;
  courier_id: string;
  site_id: string;
  opened_ms: number;
  status: 'open' | 'closed';
  step: string;
  escalates_at_ms?: number;
  closed?: { at_ms: number; by: string; outcome: string; note: string };
}

export type Role = 'viewer' | 'dispatcher' | 'admin';

export interface Session {
  name: string;
  role: Role;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class Api {
  // Called on any 401: the token is no longer accepted.
  onUnauthorized: () => void = () => {};

  constructor(private readonly token: string) {}

  async get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  // Every page of a listing that answers {<key>: [...], next_page_token}.
  // Stops after maxPages pages (the console shows the rest as they change).
  async getAll<T>(path: string, key: string, maxPages = 20): Promise<T[]> {
    const items: T[] = [];
    let token: string | null = null;
    for (let page = 0; page < maxPages; ++page) {
      const sep = path.includes('?') ? '&' : '?';
      const url: string = token === null ? path : `${path}${sep}page_token=${encodeURIComponent(token)}`;
      const answer: Record<string, unknown> = await this.get<Record<string, unknown>>(url);
      const list = answer[key];
      if (Array.isArray(list)) items.push(...(list as T[]));
      const next = answer.next_page_token;
      if (typeof next !== 'string' || next === '') break;
      token = next;
    }
    return items;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch (e) {
      throw new ApiError(0, e instanceof Error ? e.message : String(e));
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      if (response.status === 401) this.onUnauthorized();
      throw new ApiError(response.status, errorMessage(parsed) ?? `HTTP ${response.status}`);
    }
    return parsed as T;
  }
}

function errorMessage(body: unknown): string | null {
  if (body && typeof body === 'object' && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  }
  return null;
}

// A path segment for an id (ids may hold '@', '/' and the like).
export function seg(id: string): string {
  return encodeURIComponent(id);
}
