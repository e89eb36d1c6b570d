import 'vitest';
import type { TestbedImages } from './testbed-images.js';

// What the integration global setup provides to test files through `inject()`.
declare module 'vitest' {
  export interface ProvidedContext {
    images: TestbedImages;
  }
}
