package radio_test

import (
	"math"
	"testing"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest/simulate"
)

var clutters = []simulate.Clutter{simulate.ClutterDenseUrban, simulate.ClutterUrban, simulate.ClutterSuburban, simulate.ClutterRural}

// The radius solves the simulator's model: at the radius, the median
// signal (link budget less path loss) is the target.
func TestCoverageRadiusMatchesModel(t *testing.T) {
	for _, tech := range []data.Tech{data.Tech2G, data.Tech3G, data.Tech4G} {
		for _, c := range clutters {
			for target := -125.0; target <= -60; target += 5 {
				r := simulate.CoverageRadiusKm(tech, c, target)
				if r <= 0.05 || r >= 35 {
					continue // clamped at the model's 50 m floor or 35 km range
				}
				got := simulate.LinkBudgetDBm(tech) - simulate.PathLossDB(tech, c, r)
				if math.Abs(got-target) > 1e-9 {
					t.Errorf("%s %s target %v: radius %.3f km gives %.6f dBm", tech, c, target, r, got)
				}
			}
		}
	}
}

func TestCoverageRadiusMonotonic(t *testing.T) {
	for _, tech := range []data.Tech{data.Tech2G, data.Tech3G, data.Tech4G} {
		for _, c := range clutters {
			prev := math.Inf(1)
			for target := -140.0; target <= 0; target += 0.5 {
				r := simulate.CoverageRadiusKm(tech, c, target)
				if r > prev {
					t.Fatalf("%s %s: radius rises from %v to %v km as the target rises to %v dBm", tech, c, prev, r, target)
				}
				prev = r
			}
			if prev != 0 {
				t.Errorf("%s %s: radius %v km at 0 dBm, want 0", tech, c, prev)
			}
		}
		// Denser clutter loses more: a smaller radius.
		for i := 1; i < len(clutters); i++ {
			if a, b := simulate.CoverageRadiusKm(tech, clutters[i-1], -105), simulate.CoverageRadiusKm(tech, clutters[i], -105); a >= b {
				t.Errorf("%s: radius %v km in %s, not below %v km in %s", tech, a, clutters[i-1], b, clutters[i])
			}
		}
	}
}

func TestCoverageRadius4GGood(t *testing.T) {
	want := map[simulate.Clutter]float64{simulate.ClutterDenseUrban: 0.73, simulate.ClutterUrban: 0.88, simulate.ClutterSuburban: 1.92, simulate.ClutterRural: 5.10}
	for _, c := range clutters {
		if got := simulate.CoverageRadiusKm(data.Tech4G, c, -105); math.Abs(got-want[c]) > 0.01 {
			t.Errorf("4G %s at -105 dBm: %.3f km, want about %.2f", c, got, want[c])
		}
	}
	if got := simulate.CoverageRadiusKm(data.Tech5G, simulate.ClutterRural, -105); got != 0 {
		t.Errorf("5G radius = %v, want 0 (not modelled)", got)
	}
	if got := simulate.CoverageRadiusKm(data.Tech4G, simulate.ClutterRural, -200); got != 35 {
		t.Errorf("radius at -200 dBm = %v, want the 35 km server range", got)
	}
}
