// Test fixtures: an account as the appliance lists it; `over` sets what a test cares about.
import type { UserView } from "../components/roles";

export function user(over: Partial<UserView> = {}): UserView {
  return {
    id: 7,
    org: 1,
    username: "alice",
    display_name: "Alice",
    role: "viewer",
    must_change_password: false,
    disabled: false,
    locked: false,
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-01T00:00:00Z",
    password_changed_at: "2025-01-01T00:00:00Z",
    ...over,
  } as UserView;
}
