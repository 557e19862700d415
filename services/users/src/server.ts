/** buildServer: the users gRPC server, unstarted (main.ts listens; tests bind port 0). */
import { createGrpcServer, type GrpcServer } from '@meshcart/kit';
import { UserServiceService } from '@meshcart/proto/shop/users/v1/users';
import { rememberPeer } from './app/client-ip';
import { beforeEachCall } from './app/peer-hook';
import { usersImplementation, type UsersHandlerDeps } from './grpc/users.handlers';

export type UsersServerDeps = UsersHandlerDeps;

export function buildServer(deps: UsersServerDeps): GrpcServer {
  return createGrpcServer({
    logger: deps.logger,
    reflection: deps.reflection,
    services: [
      {
        name: 'shop.users.v1.UserService',
        definition: UserServiceService,
        // The peer address (login throttling by IP) is what the kit's wrapper does not give a
        // handler; RetryInfo comes from the errors' retryDelayMs like everywhere else.
        implementation: beforeEachCall(usersImplementation(deps), rememberPeer),
      },
    ],
  });
}
