module meshcart/gateway

go 1.26

replace meshcart/gen/go => ../gen/go
