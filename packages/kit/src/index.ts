/** @meshcart/kit: the shared runtime every meshcart service and the saga worker use. */
export * from './errors/domain-error';
export * from './errors/status-details';
export * from './config/load-config';
export * from './logging/logger';
export * from './auth/principal';
export * from './auth/jwt';
export * from './server/call-context';
export * from './server/unary';
export * from './server/grpc-server';
export * from './server/service-config';
export * from './client/grpc-call-error';
export * from './client/call-graph';
export * from './client/create-client';
export * from './client/health-check';
export * from './server/run-main';
export * from './db';
