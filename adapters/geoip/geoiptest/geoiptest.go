// Package geoiptest builds small MaxMind-format City and ASN databases for
// tests, so that tests of packages using geoip can run against real database
// files rather than a fake.
package geoiptest

import (
	"cmp"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/whisper-schools/whisper/domain"
)

// ASN is the autonomous system number written for every network in the ASN
// database: the first of the numbers reserved for documentation (RFC 5398).
const ASN = 64496

// Write builds a GeoLite2-City and a GeoLite2-ASN database in dir from
// places, which maps CIDR prefixes ("81.2.69.0/24", "2a02:c7f::/32") to what
// should be known of them, and returns the paths of the two files. A prefix
// goes into the City database when its place has a city, region or country,
// and into the ASN database when it has a network; both files are written
// even when empty. Reserved ranges (private, documentation) are allowed. When
// prefixes overlap, the more specific one wins.
//
// Write fails t on any error. Use a separate dir for each call.
func Write(t testing.TB, dir string, places map[string]domain.Place) (cityPath, asnPath string) {
	t.Helper()
	city := newTree(t, "GeoLite2-City")
	asn := newTree(t, "GeoLite2-ASN")
	for _, e := range sorted(t, places) {
		network := ipNet(e.prefix)
		if rec := cityRecord(e.place); rec != nil {
			if err := city.Insert(network, rec); err != nil {
				t.Fatalf("geoiptest: inserting %s into the City database: %v", e.prefix, err)
			}
		}
		if e.place.Network != "" {
			rec := mmdbtype.Map{
				"autonomous_system_number":       mmdbtype.Uint32(ASN),
				"autonomous_system_organization": mmdbtype.String(e.place.Network),
			}
			if err := asn.Insert(network, rec); err != nil {
				t.Fatalf("geoiptest: inserting %s into the ASN database: %v", e.prefix, err)
			}
		}
	}
	cityPath = filepath.Join(dir, "GeoLite2-City.mmdb")
	asnPath = filepath.Join(dir, "GeoLite2-ASN.mmdb")
	write(t, city, cityPath)
	write(t, asn, asnPath)
	return cityPath, asnPath
}

type entry struct {
	prefix netip.Prefix
	place  domain.Place
}

// sorted parses the prefixes and orders them from the widest to the
// narrowest, so that later, more specific inserts replace earlier ones
// whatever the map's order.
func sorted(t testing.TB, places map[string]domain.Place) []entry {
	t.Helper()
	entries := make([]entry, 0, len(places))
	for cidr, place := range places {
		prefix, err := netip.ParsePrefix(cidr)
		if err != nil {
			t.Fatalf("geoiptest: %v", err)
		}
		entries = append(entries, entry{prefix.Masked(), place})
	}
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.prefix.Bits(), b.prefix.Bits()), a.prefix.Addr().Compare(b.prefix.Addr()))
	})
	return entries
}

func newTree(t testing.TB, databaseType string) *mmdbwriter.Tree {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            databaseType,
		Description:             map[string]string{"en": "Whisper test " + databaseType},
		Languages:               []string{"en"},
		RecordSize:              24,
		IncludeReservedNetworks: true,
	})
	if err != nil {
		t.Fatalf("geoiptest: %v", err)
	}
	return tree
}

// cityRecord returns the City database record for place, shaped as GeoLite2
// shapes it, or nil when place has nothing for the City database.
func cityRecord(place domain.Place) mmdbtype.Map {
	rec := mmdbtype.Map{}
	if place.City != "" {
		rec["city"] = mmdbtype.Map{"names": englishName(place.City)}
	}
	if place.Region != "" {
		rec["subdivisions"] = mmdbtype.Slice{mmdbtype.Map{"names": englishName(place.Region)}}
	}
	if place.Country != "" {
		rec["country"] = mmdbtype.Map{"iso_code": mmdbtype.String(place.Country)}
	}
	if len(rec) == 0 {
		return nil
	}
	return rec
}

func englishName(s string) mmdbtype.Map {
	return mmdbtype.Map{"en": mmdbtype.String(s)}
}

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

func write(t testing.TB, tree *mmdbwriter.Tree, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("geoiptest: %v", err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		_ = f.Close()
		t.Fatalf("geoiptest: writing %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("geoiptest: %v", err)
	}
}
