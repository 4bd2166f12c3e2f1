// Vitest setup: Testing Library's async queries wait up to 5 s (not 1 s), so a loaded CI
// machine does not turn a slow render into a failure.
import { configure } from "@testing-library/react";

configure({ asyncUtilTimeout: 5000 });
