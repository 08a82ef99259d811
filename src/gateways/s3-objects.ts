// Reads an S3 object as text — only a policy kept at s3://bucket/key needs it. The Lambda runtime imports this module
// on first use (see runtime.ts), so the S3 client, its XML protocol and checksum code stay out of every cold start
// whose policy lives in SSM or a file.
import { GetObjectCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

export interface S3ObjectReader {
  /** The object's body as UTF-8 text; undefined when S3 returns no body. */
  readText(bucket: string, key: string): Promise<string | undefined>;
}

export function s3ObjectReader(s3: S3Client): S3ObjectReader {
  return {
    readText: async (bucket, key) => {
      const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await response.Body?.transformToString("utf-8");
    },
  };
}

/** A client built here, inside the module loaded on demand, so importing the SDK client waits for first use too. */
export function connectS3(config: S3ClientConfig): S3ObjectReader {
  return s3ObjectReader(new S3Client(config));
}
