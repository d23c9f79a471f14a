/**
 * @module core/service/s3Storage
 * Public material on any S3-compatible store, same layout as the filesystem
 * backend: `{prefix}/{data_type}/{id}` as object keys in one bucket. The store
 * is untrusted: clients check what they download against the digests the
 * parties signed on chain, and the core checks it again at boot.
 * URIs are path-style HTTP URLs (`{endpoint}/{bucket}/{key}`), downloadable
 * with a plain GET when the bucket allows public reads.
 *
 * @example
 * const pub = new S3PublicStorage({ endpoint: 'http://127.0.0.1:9000', bucket: 'tkms', prefix: publicPrefix(1), credentials });
 * await pub.write('PublicKey', keyId, bytes);
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { STORAGE_SEGMENT, type PublicStorage } from './storage.js';

export interface S3PublicStorageOptions {
  /** e.g. http://127.0.0.1:9000 (path-style addressing is used). */
  endpoint: string;
  bucket: string;
  prefix: string;
  region?: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

function segment(what: string, s: string): string {
  if (!STORAGE_SEGMENT.test(s)) throw new RangeError(`invalid storage ${what} "${s}"`);
  return s;
}

export class S3PublicStorage implements PublicStorage {
  readonly prefix: string;
  private readonly client: S3Client;

  constructor(private readonly o: S3PublicStorageOptions) {
    this.prefix = segment('prefix', o.prefix);
    this.client = new S3Client({ endpoint: o.endpoint, region: o.region ?? 'us-east-1', forcePathStyle: true, credentials: o.credentials });
  }

  private key(dataType: string, id: string): string {
    return `${this.prefix}/${segment('data type', dataType)}/${segment('id', id)}`;
  }

  uri(dataType: string, id: string): string {
    return `${this.o.endpoint.replace(/\/+$/, '')}/${this.o.bucket}/${this.key(dataType, id)}`;
  }

  async write(dataType: string, id: string, data: Uint8Array | string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.o.bucket, Key: this.key(dataType, id), Body: typeof data === 'string' ? Buffer.from(data) : data }));
  }

  async read(dataType: string, id: string): Promise<Uint8Array | undefined> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: this.key(dataType, id) }));
      return r.Body ? new Uint8Array(await r.Body.transformToByteArray()) : undefined;
    } catch (e) {
      if (e instanceof NoSuchKey || (e as { name?: string }).name === 'NoSuchKey') return undefined;
      throw e;
    }
  }

  async exists(dataType: string, id: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.o.bucket, Key: this.key(dataType, id) }));
      return true;
    } catch {
      return false;
    }
  }

  async list(dataType: string): Promise<string[]> {
    const prefix = `${this.prefix}/${segment('data type', dataType)}/`;
    const r = await this.client.send(new ListObjectsV2Command({ Bucket: this.o.bucket, Prefix: prefix }));
    return (r.Contents ?? []).map((c) => (c.Key ?? '').slice(prefix.length)).filter((id) => STORAGE_SEGMENT.test(id)).sort();
  }

  close(): void {
    this.client.destroy();
  }
}
