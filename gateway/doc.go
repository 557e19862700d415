// Package main is the meshcart JSON edge: a grpc-gateway reverse proxy over the public RPCs.
package main

func main() {}
