/** Domain <-> contract conversions for the users service. */
import type { Timestamp } from '@meshcart/proto/google/protobuf/timestamp';
import type { Address as ProtoAddress } from '@meshcart/proto/shop/common/v1/address';
import type {
  SavedAddress as ProtoSavedAddress,
  User as ProtoUser,
} from '@meshcart/proto/shop/users/v1/users';
import type { Address, SavedAddress } from '../domain/address';
import type { User } from '../domain/user';

export function toTimestamp(d: Date): Timestamp {
  const ms = d.getTime();
  return {
    seconds: String(Math.floor(ms / 1000)),
    nanos: (((ms % 1000) + 1000) % 1000) * 1_000_000,
  };
}

export const toProtoUser = (u: User): ProtoUser => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  createTime: toTimestamp(u.createdAt),
});

export const toProtoAddress = (a: Address): ProtoAddress => ({ ...a, lines: [...a.lines] });

export const toProtoSavedAddress = (s: SavedAddress): ProtoSavedAddress => ({
  id: s.id,
  address: toProtoAddress(s.address),
  createTime: toTimestamp(s.createdAt),
});
