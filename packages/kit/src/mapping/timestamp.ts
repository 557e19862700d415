/** google.protobuf.Timestamp as ts-proto generates it (int64 seconds as a decimal string). */
export interface ProtoTimestamp {
  seconds: string;
  nanos: number;
}

/** A Date as a Timestamp: millisecond precision, nanos always in [0, 1e9) (also before 1970). */
export function toTimestamp(d: Date): ProtoTimestamp {
  const ms = d.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}
