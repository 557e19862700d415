package edge

import (
	"strings"

	commonv1 "meshcart/gen/go/shop/common/v1"
)

// wireReason is the ErrorInfo.reason clients see for a value of the one generated reason list
// (shop.common.v1.ErrorReason): its name without the ERROR_REASON_ prefix, as the TypeScript
// kit sends it (packages/kit/src/errors/error-reason.ts).
func wireReason(r commonv1.ErrorReason) string {
	return strings.TrimPrefix(r.String(), "ERROR_REASON_")
}
