// Package geoip implements ports.Locator with offline databases in the
// MaxMind DB format: GeoLite2 or GeoIP2 City and ASN, or compatible ones such
// as DB-IP's lite databases.
//
// IP addresses are personal data, so nothing here logs, and no error carries
// an address.
package geoip

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var _ ports.Locator = (*Locator)(nil)

// Locator places IP addresses with a City database, an ASN database, or
// both; what a missing database would tell stays unknown. A nil *Locator is
// valid and knows nothing, so callers need not check whether GeoIP is
// configured.
//
// A Locator is safe for concurrent use. Close must not run concurrently with
// Locate; after Close, Locate returns an empty Place.
type Locator struct {
	city *maxminddb.Reader // nil when not configured
	asn  *maxminddb.Reader // nil when not configured
}

// Open opens the City database at cityPath and the ASN database at asnPath.
// Either path may be empty, leaving that part of every Place unknown. It
// returns an error naming the file when a database cannot be read or is not
// of the expected type (its database_type metadata must contain "City" or
// "ASN" respectively).
func Open(cityPath, asnPath string) (*Locator, error) {
	city, err := open(cityPath, "City", "GeoLite2-City")
	if err != nil {
		return nil, err
	}
	asn, err := open(asnPath, "ASN", "GeoLite2-ASN")
	if err != nil {
		if city != nil {
			_ = city.Close()
		}
		return nil, err
	}
	return &Locator{city: city, asn: asn}, nil
}

// open opens the database at path, if any, and checks its type loosely, so
// that compatible databases from other vendors are accepted too.
func open(path, want, example string) (*maxminddb.Reader, error) {
	if path == "" {
		return nil, nil
	}
	db, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("geoip: opening %s database %s: %w", want, path, err)
	}
	if got := db.Metadata.DatabaseType; !strings.Contains(got, want) {
		_ = db.Close()
		return nil, fmt.Errorf("geoip: %s is a %q database, but a %s database (such as %s) was expected", path, got, want, example)
	}
	return db, nil
}

// Close releases the databases.
func (l *Locator) Close() error {
	if l == nil {
		return nil
	}
	var errs []error
	for _, db := range []*maxminddb.Reader{l.city, l.asn} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	return errors.Join(errs...)
}

// Locate returns what the databases know of ip. Addresses that cannot be on
// the public internet (private, loopback, link-local, multicast, unspecified
// or invalid) are unknown without a lookup. An IPv4 address mapped into IPv6
// is looked up as IPv4. Lookup errors leave the part concerned unknown.
func (l *Locator) Locate(ip netip.Addr) domain.Place {
	var p domain.Place
	if l == nil {
		return p
	}
	ip = ip.Unmap().WithZone("")
	if !public(ip) {
		return p
	}
	if l.city != nil {
		var rec cityRecord
		if err := l.city.Lookup(ip).Decode(&rec); err == nil {
			p.City = rec.City.Names.En
			if len(rec.Subdivisions) > 0 {
				p.Region = rec.Subdivisions[0].Names.En
			}
			p.Country = rec.Country.ISOCode
			if p.Country == "" {
				// Some networks (satellite, anonymous proxies) have no
				// country in use, only the one they are registered to.
				p.Country = rec.RegisteredCountry.ISOCode
			}
		}
	}
	if l.asn != nil {
		var rec asnRecord
		if err := l.asn.Lookup(ip).Decode(&rec); err == nil {
			p.Network = rec.Organization
		}
	}
	return p
}

// public reports whether ip may be a public internet address worth looking
// up.
func public(ip netip.Addr) bool {
	return ip.IsValid() &&
		!ip.IsUnspecified() &&
		!ip.IsLoopback() &&
		!ip.IsPrivate() &&
		!ip.IsLinkLocalUnicast() &&
		!ip.IsLinkLocalMulticast() &&
		!ip.IsInterfaceLocalMulticast() &&
		!ip.IsMulticast()
}

// names holds the English name of a place; the other languages are never
// decoded.
type names struct {
	En string `maxminddb:"en"`
}

// cityRecord is the part of a City database record that Whisper uses.
type cityRecord struct {
	City struct {
		Names names `maxminddb:"names"`
	} `maxminddb:"city"`
	Subdivisions []struct {
		Names names `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
}

// asnRecord is the part of an ASN database record that Whisper uses.
type asnRecord struct {
	Organization string `maxminddb:"autonomous_system_organization"`
}
