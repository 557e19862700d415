/** Domain <-> contract conversions for the users service. */
import type { Address as ProtoAddress } from '@meshcart/proto/shop/common/v1/address';
import type {
  SavedAddress as ProtoSavedAddress,
  User as ProtoUser,
} from '@meshcart/proto/shop/users/v1/users';
import type { Address, SavedAddress } from '../domain/address';
import type { User } from '../domain/user';
import { toTimestamp } from '@meshcart/kit';

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
