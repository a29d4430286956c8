package coverage_test

import (
	"strings"
	"testing"

	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
)

func TestDefaultThresholds(t *testing.T) {
	th := coverage.DefaultThresholds()
	if th.Version == "" || th.Resolution != 8 || th.Zones.Tech != data.Tech4G || th.Zones.Level != data.LevelGood || th.Zones.ProgrammeSize != 1800 {
		t.Fatalf("unexpected defaults: %+v", th)
	}
	for _, tech := range []data.Tech{data.Tech2G, data.Tech3G, data.Tech4G, data.Tech5G} {
		if _, ok := th.Techs[tech]; !ok {
			t.Errorf("no thresholds for %s", tech)
		}
	}
}

func TestClassifyEdges(t *testing.T) {
	th := coverage.DefaultThresholds()
	stat := func(sig, dl float32, n int32) data.CellStat {
		return data.CellStat{Tech: data.Tech4G, Samples: n, SignalP50: sig, DLP10: dl}
	}
	cases := []struct {
		name string
		s    data.CellStat
		want data.Level
	}{
		{"too few samples", stat(-70, 50, 1), data.Unmeasured},
		{"very good at the edge", stat(-90, 30, 5), data.LevelVeryGood},
		{"signal just below very good", stat(-90.1, 30, 5), data.LevelGood},
		{"good at the edge", stat(-105, 5, 5), data.LevelGood},
		{"downlink just under 5 Mbps", stat(-80, 4.99, 5), data.LevelLimited},
		{"limited at the edge", stat(-115, data.Absent, 5), data.LevelLimited},
		{"none below limited", stat(-115.1, data.Absent, 5), data.LevelNone},
		{"downlink only", stat(data.Absent, 6, 5), data.LevelGood},
		{"no metric", stat(data.Absent, data.Absent, 5), data.Unmeasured},
		{"zero downlink", stat(-80, 0, 5), data.LevelNone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := th.Classify(c.s); got != c.want {
				t.Errorf("Classify = %s, want %s", got, c.want)
			}
		})
	}
	g2 := data.CellStat{Tech: data.Tech2G, Samples: 3, SignalP50: -85, DLP10: 0}
	if got := th.Classify(g2); got != data.LevelGood {
		t.Errorf("2G on signal only: got %s, want good", got)
	}
}

func TestParseThresholdsRefuses(t *testing.T) {
	good := "version: x\nresolution: 8\nmin_samples: 1\nzones: {tech: 4G, level: good}\ntechs:\n  4G: {signal: {very_good: -90, good: -100, limited: -110}}\n"
	if _, err := coverage.ParseThresholds([]byte(good)); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	cases := map[string]string{
		"unknown key":    good + "colour: red\n",
		"unordered bins": strings.Replace(good, "good: -100", "good: -80", 1),
		"bad tech":       strings.Replace(good, "tech: 4G", "tech: 6G", 1),
		"bad level":      strings.Replace(good, "level: good", "level: great", 1),
		"resolution":     strings.Replace(good, "resolution: 8", "resolution: 14", 1),
	}
	for name, src := range cases {
		if _, err := coverage.ParseThresholds([]byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
