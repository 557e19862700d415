/** ReservationService (callers with the `service` role: the order saga). */
import { errors, implement, type CallContext, type ImplementOptions } from '@meshcart/kit';
import { ReservationServiceService } from '@meshcart/proto/shop/inventory/v1/inventory';
import type { Transition } from '../domain/reservation';
import { REASONS } from '../domain/reasons';
import { validateReservationId, validateReserve } from '../domain/inventory.validation';
import type { ReservationStore } from '../store/reservation.store';
import { toProtoReservation } from './inventory.mapping';

type Options = Omit<ImplementOptions<typeof ReservationServiceService>, 'access'>;

export function reservationService(store: ReservationStore, opts: Options) {
  const transition = async (reservationId: string, action: Transition, ctx: CallContext) => {
    const id = validateReservationId(reservationId);
    const reservation = await store.transition(id, action);
    ctx.logger.info(
      { reservation_id: id, action, status: reservation.status },
      'reservation transition',
    );
    return { reservation: toProtoReservation(reservation) };
  };
  return implement(
    ReservationServiceService,
    {
      reserveStock: async (req, ctx) => {
        const { reservationId, items } = validateReserve(req);
        const reservation = await store.reserve(reservationId, items);
        ctx.logger.info(
          { reservation_id: reservationId, items: items.length, status: reservation.status },
          'stock reserved',
        );
        return { reservation: toProtoReservation(reservation) };
      },
      releaseReservation: (req, ctx) => transition(req.reservationId, 'release', ctx),
      commitReservation: (req, ctx) => transition(req.reservationId, 'commit', ctx),
      returnReservation: (req, ctx) => transition(req.reservationId, 'return', ctx),
      getReservation: async (req) => {
        const id = validateReservationId(req.reservationId);
        const reservation = await store.get(id);
        if (!reservation)
          throw errors.notFound(REASONS.reservationNotFound, { metadata: { reservationId: id } });
        return { reservation: toProtoReservation(reservation) };
      },
    },
    {
      ...opts,
      access: {
        reserveStock: 'service',
        releaseReservation: 'service',
        commitReservation: 'service',
        returnReservation: 'service',
        getReservation: 'service',
      },
    },
  );
}
