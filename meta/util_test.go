package meta_test

import (
	"errors"

	"github.com/humas-id/humas/meta"
)

func asError(err error, target **meta.Error) bool { return errors.As(err, target) }
