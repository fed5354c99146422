import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (the real binary, not the /usr/bin/chromium shell wrapper). Override: CHROMIUM_PATH. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found) throw new Error('no chromium binary found (apt install chromium, or set CHROMIUM_PATH)');
  return found;
}

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  // WebGPU on SwiftShader (Vulkan on the CPU)
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  // no network on the machine: keep chromium from trying
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

export interface Launched {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(extraArgs: readonly string[] = []): Promise<Launched> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  if (!env.VK_ICD_FILENAMES && existsSync(ICD)) env.VK_ICD_FILENAMES = ICD;
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // playwright itself gives every launch a fresh temporary profile (--user-data-dir) and removes it
    args: [...CHROMIUM_ARGS, ...extraArgs],
    env,
    timeout: 30_000,
  });
  let closed = false;
  return {
    browser,
    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}
