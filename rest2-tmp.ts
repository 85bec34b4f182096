import { DEVELOPER, slackDirectory, workflowYaml } from "./test/support/changes.ts";
import { startTestSluice } from "./test/support/sluice.ts";
const m = () => `ext ${(process.memoryUsage().external/2**20).toFixed(0)} ab ${(process.memoryUsage().arrayBuffers/2**20).toFixed(0)} rss ${(process.memoryUsage().rss/2**20).toFixed(0)} heap ${(process.memoryUsage().heapUsed/2**20).toFixed(0)} maxrss ${(process.resourceUsage().maxRSS/1024).toFixed(0)}`;
console.log("before", m());
const t = await startTestSluice({ yaml: workflowYaml([{ name: "x", engine: "postgres", environment: "Test" }]), slack: slackDirectory });
console.log("started", m());
global.gc?.(); console.log("gc", m());
await t.stop();
