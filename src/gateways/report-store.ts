// S3 access for the coverage history: PutObject of a run's JSON Lines and manifest (workers, org sweep), and reading a
// stored run back for `flowlogs report --run` (ListObjectsV2 + GetObject). Loaded on first use.
import {
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";

export interface ReportStore {
  /** Writes `body` at `key`; the same key on a retry overwrites, never duplicates. */
  put(key: string, body: string): Promise<void>;
}

export interface ReportReader {
  /** Every key under `prefix`, all pages. */
  listKeys(prefix: string): Promise<string[]>;
  /** The object's text; undefined when it does not exist. */
  read(key: string): Promise<string | undefined>;
}

export function reportStore(s3: S3Client, bucket: string): ReportStore {
  return {
    put: async (key, body) => {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: key.endsWith(".json") ? "application/json" : "application/x-ndjson",
        }),
      );
    },
  };
}

export function reportReader(s3: S3Client, bucket: string): ReportReader {
  return {
    listKeys: async (prefix) => {
      const keys: string[] = [];
      for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix }))
        for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      return keys;
    },
    read: async (key) => {
      try {
        const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await response.Body?.transformToString("utf-8");
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },
  };
}

/** A client for the bucket, built inside this on-demand module; it follows the bucket to its region. */
export function connectReportStore(config: S3ClientConfig, bucket: string): ReportStore {
  return reportStore(new S3Client({ ...config, followRegionRedirects: true }), bucket);
}
