/** @meshcart/saga: what other packages may import (the saga contract; definitions only). */
export * from './contract';
