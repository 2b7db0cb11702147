package sqlite_test

import (
	"testing"

	"staffroom/forum/storetest"
)

func TestModerationStore(t *testing.T) {
	storetest.RunModeration(t, func(t *testing.T) storetest.ModerationStore { return openTestDB(t) })
}
