/** buildServer: the users gRPC server, unstarted (main.ts listens; tests bind port 0). */
import { createGrpcServer, type GrpcServer } from '@meshcart/kit';
import { UserServiceService } from '@meshcart/proto/shop/users/v1/users';
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
        implementation: usersImplementation(deps),
      },
    ],
  });
}
