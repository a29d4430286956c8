package postgis

import (
	"testing"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store { return freshStore(t) })
}
