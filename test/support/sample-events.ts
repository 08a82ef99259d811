// Sample events from events/, re-read for every use, with their placeholder IDs swapped for real moto IDs.
import { readFileSync } from "node:fs";

export const SAMPLE_IDS = {
  vpc: "vpc-0a1b2c3d4e5f60718",
  subnet: "subnet-0a1b2c3d4e5f60719",
  defaultVpc: "vpc-0f1e2d3c4b5a69788",
  transitGateway: "tgw-0a1b2c3d4e5f60720",
  /** transit-gateway-attachment-created.json (VPC attachment); also the Connect sample's transport. */
  vpcAttachment: "tgw-attach-0a1b2c3d4e5f60721",
  peeringAttachment: "tgw-attach-0a1b2c3d4e5f60722",
  connectAttachment: "tgw-attach-0a1b2c3d4e5f60723",
  networkInterface: "eni-0a1b2c3d4e5f60724",
  account: "123456789012",
} as const;

/** events/<file> with every occurrence of each key replaced by its value (IDs, account). */
export function sampleEvent(
  file: string,
  replacements: Record<string, string> = {},
): Record<string, unknown> {
  let text = readFileSync(`events/${file}`, "utf-8");
  for (const [from, to] of Object.entries(replacements)) text = text.split(from).join(to);
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== "object" || parsed === null) throw new Error(`events/${file} is not an object`);
  return parsed as Record<string, unknown>;
}
