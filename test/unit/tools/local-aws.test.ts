// What `--local` reads from an event before seeding moto: the resources it names, by the function's own parser.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { namedResources, rewriteIds } from "../../../tools/local-aws.js";

function sample(name: string): unknown {
  return JSON.parse(readFileSync(`events/${name}`, "utf-8"));
}

describe("namedResources", () => {
  it.each([
    ["event-enforcer", "vpc-created.json", [["VPC", "vpc-0a1b2c3d4e5f60718", false]]],
    ["event-enforcer", "subnet-default-created.json", [["Subnet", "subnet-0d9c8b7a6f5e4d3c2", true]]],
    ["event-enforcer", "flow-log-deleted.json", []],
    ["event-enforcer", "default-vpc-created-null-response.json", []],
    ["config-rule", "config-item-subnet-changed.json", [["Subnet", "subnet-0a1b2c3d4e5f60719", false]]],
    ["config-rule", "config-item-deleted.json", []],
    ["config-remediation", "config-remediation-vpc.json", [["VPC", "vpc-0a1b2c3d4e5f60718", false]]],
    ["sweep-worker", "sweep-batch.json", []],
  ])("%s, %s", (handler, file, expected) => {
    const named = namedResources(handler, sample(file));

    expect(named.map(({ resource, isDefault }) => [resource.type, resource.id, isDefault])).toEqual(expected);
  });

  it("keeps a subnet's VPC and the event's tags, to seed them alike", () => {
    const [named] = namedResources("config-rule", sample("config-item-subnet-changed.json"));

    expect(named?.resource).toEqual({
      type: "Subnet",
      id: "subnet-0a1b2c3d4e5f60719",
      vpcId: "vpc-0a1b2c3d4e5f60718",
      tags: { Name: "app-public-a" },
    });
  });

  it("names nothing in an event its parser refuses: the function reports that itself", () => {
    expect(namedResources("event-enforcer", { hello: "world" })).toEqual([]);
  });
});

describe("rewriteIds", () => {
  it("replaces every occurrence, inside JSON strings too", () => {
    const text = readFileSync("events/config-item-subnet-changed.json", "utf-8");

    const rewritten = rewriteIds(text, new Map([["subnet-0a1b2c3d4e5f60719", "subnet-0123456789abcdef0"]]));

    expect(rewritten).not.toContain("subnet-0a1b2c3d4e5f60719");
    expect(JSON.parse(JSON.parse(rewritten).invokingEvent).configurationItem.resourceId).toBe(
      "subnet-0123456789abcdef0",
    );
  });
});
