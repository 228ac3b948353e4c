package geoip

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/geoip/geoiptest"
	"github.com/whisper-schools/whisper/domain"
)

var (
	bristol = domain.Place{City: "Bristol", Region: "England", Country: "GB", Network: "Example Broadband"}
	london  = domain.Place{City: "London", Region: "England", Country: "GB", Network: "Example Mobile"}
	transit = domain.Place{Country: "GB", Network: "Example Transit"}
	// nowhere is written over ranges that must never be looked up: finding
	// it means the address was not filtered out.
	nowhere = domain.Place{City: "Nowhere", Region: "Nowhere", Country: "ZZ", Network: "Nowhere Net"}
)

var places = map[string]domain.Place{
	"81.2.0.0/16":   transit,
	"81.2.69.0/24":  bristol, // more specific: wins inside 81.2.0.0/16
	"2a02:c7f::/32": london,

	"0.0.0.0/8":      nowhere,
	"10.0.0.0/8":     nowhere,
	"127.0.0.0/8":    nowhere,
	"169.254.0.0/16": nowhere,
	"172.16.0.0/12":  nowhere,
	"192.168.0.0/16": nowhere,
	"224.0.0.0/4":    nowhere,
	"::/128":         nowhere,
	"::1/128":        nowhere,
	"fc00::/7":       nowhere,
	"fe80::/10":      nowhere,
	"ff00::/8":       nowhere,
}

// openTest writes the test databases and opens the parts named by city and asn.
func openTest(t *testing.T, city, asn bool) *Locator {
	t.Helper()
	cityPath, asnPath := geoiptest.Write(t, t.TempDir(), places)
	if !city {
		cityPath = ""
	}
	if !asn {
		asnPath = ""
	}
	l, err := Open(cityPath, asnPath)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, l.Close()) })
	return l
}

func TestLocate(t *testing.T) {
	t.Parallel()
	l := openTest(t, true, true)
	for _, tc := range []struct {
		ip   string
		want domain.Place
	}{
		{"81.2.69.160", bristol},
		{"81.2.69.0", bristol},
		{"81.2.1.1", transit},
		{"2a02:c7f:1234::1", london},
		{"::ffff:81.2.69.160", bristol}, // IPv4-mapped IPv6 finds the IPv4 record
		{"8.8.8.8", domain.Place{}},     // not in the databases
		{"81.3.0.1", domain.Place{}},    // just past a range
		{"2a02:c80::1", domain.Place{}}, // just past an IPv6 range
	} {
		assert.Equal(t, tc.want, l.Locate(netip.MustParseAddr(tc.ip)), tc.ip)
	}
}

func TestLocateOnlyCity(t *testing.T) {
	t.Parallel()
	l := openTest(t, true, false)
	assert.Equal(t, domain.Place{City: "Bristol", Region: "England", Country: "GB"},
		l.Locate(netip.MustParseAddr("81.2.69.160")))
}

func TestLocateOnlyASN(t *testing.T) {
	t.Parallel()
	l := openTest(t, false, true)
	assert.Equal(t, domain.Place{Network: "Example Broadband"},
		l.Locate(netip.MustParseAddr("81.2.69.160")))
}

func TestLocateWithoutDatabases(t *testing.T) {
	t.Parallel()
	l, err := Open("", "")
	require.NoError(t, err)
	assert.Equal(t, domain.Place{}, l.Locate(netip.MustParseAddr("81.2.69.160")))
	assert.NoError(t, l.Close())

	var nilLocator *Locator
	assert.Equal(t, domain.Place{}, nilLocator.Locate(netip.MustParseAddr("81.2.69.160")))
	assert.NoError(t, nilLocator.Close())
}

func TestLocateSkipsNonPublicAddresses(t *testing.T) {
	t.Parallel()
	l := openTest(t, true, true)
	for _, ip := range []string{
		"0.0.0.0", "10.1.2.3", "127.0.0.1", "169.254.1.1", "172.16.5.4", "192.168.1.1", "224.0.0.1",
		"::", "::1", "fd00::1", "fe80::1", "fe80::1%eth0", "ff02::1",
		"::ffff:10.1.2.3", "::ffff:127.0.0.1",
	} {
		assert.Equal(t, domain.Place{}, l.Locate(netip.MustParseAddr(ip)), ip)
	}
	assert.Equal(t, domain.Place{}, l.Locate(netip.Addr{}), "invalid address")
}

func TestLocateAfterClose(t *testing.T) {
	t.Parallel()
	cityPath, asnPath := geoiptest.Write(t, t.TempDir(), places)
	l, err := Open(cityPath, asnPath)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	assert.Equal(t, domain.Place{}, l.Locate(netip.MustParseAddr("81.2.69.160")))
}

func TestLocation(t *testing.T) {
	t.Parallel()
	l := openTest(t, true, true)
	assert.Equal(t, "Bristol, England, GB", l.Locate(netip.MustParseAddr("81.2.69.160")).Location())
	assert.Equal(t, "GB", l.Locate(netip.MustParseAddr("81.2.1.1")).Location())
	assert.Empty(t, l.Locate(netip.MustParseAddr("8.8.8.8")).Location())
}

func TestOpenWrongDatabaseType(t *testing.T) {
	t.Parallel()
	cityPath, asnPath := geoiptest.Write(t, t.TempDir(), places)

	_, err := Open(asnPath, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), asnPath)
	assert.Contains(t, err.Error(), `"GeoLite2-ASN"`)
	assert.Contains(t, err.Error(), "City database")

	_, err = Open("", cityPath)
	require.Error(t, err)
	assert.Contains(t, err.Error(), cityPath)
	assert.Contains(t, err.Error(), `"GeoLite2-City"`)
	assert.Contains(t, err.Error(), "ASN database")

	_, err = Open(cityPath, cityPath) // the City database opened fine, then is closed
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ASN database")
}

func TestOpenUnreadableFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.mmdb")
	_, err := Open(missing, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), missing)
	assert.ErrorIs(t, err, os.ErrNotExist)

	_, err = Open("", missing)
	require.Error(t, err)
	assert.Contains(t, err.Error(), missing)

	garbage := filepath.Join(dir, "garbage.mmdb")
	require.NoError(t, os.WriteFile(garbage, []byte("not a MaxMind database"), 0o600))
	_, err = Open(garbage, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), garbage)
}

// TestCompatibleDatabases checks that databases from other vendors, whose
// types only contain "City" or "ASN", are accepted, and that a record with
// only a registered country still gives a country.
func TestCompatibleDatabases(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cityPath := filepath.Join(dir, "dbip-city-lite.mmdb")
	asnPath := filepath.Join(dir, "dbip-asn-lite.mmdb")
	writeDB(t, cityPath, mmdbwriter.Options{DatabaseType: "DBIP-City-Lite"}, "81.2.69.0/24", mmdbtype.Map{
		"registered_country": mmdbtype.Map{"iso_code": mmdbtype.String("GB")},
		"subdivisions": mmdbtype.Slice{
			mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String("England"), "de": mmdbtype.String("England")}},
			mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String("Bristol County")}},
		},
	})
	writeDB(t, asnPath, mmdbwriter.Options{DatabaseType: "DBIP-ASN-Lite (compat=GeoLite2-ASN)"}, "81.2.69.0/24", mmdbtype.Map{
		"autonomous_system_number":       mmdbtype.Uint32(64497),
		"autonomous_system_organization": mmdbtype.String("Example Broadband"),
	})
	l, err := Open(cityPath, asnPath)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, l.Close()) })
	assert.Equal(t, domain.Place{Region: "England", Country: "GB", Network: "Example Broadband"},
		l.Locate(netip.MustParseAddr("81.2.69.1")))
}

// TestLocateUndecodableRecord checks that a record of an unexpected shape
// leaves its part unknown rather than failing.
func TestLocateUndecodableRecord(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cityPath := filepath.Join(dir, "city.mmdb")
	writeDB(t, cityPath, mmdbwriter.Options{DatabaseType: "GeoLite2-City"}, "81.2.69.0/24", mmdbtype.Map{
		"city": mmdbtype.String("Bristol"), // a map in real databases
	})
	_, asnPath := geoiptest.Write(t, dir, places)
	l, err := Open(cityPath, asnPath)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, l.Close()) })
	assert.Equal(t, domain.Place{Network: "Example Broadband"}, l.Locate(netip.MustParseAddr("81.2.69.1")))
}

// TestLocateMappedWithoutAliases checks that an IPv4-mapped IPv6 address is
// looked up as IPv4 even in databases whose IPv6 tree does not alias
// ::ffff:0:0/96 to the IPv4 networks, as MaxMind's own databases do.
func TestLocateMappedWithoutAliases(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	asnPath := filepath.Join(dir, "asn.mmdb")
	writeDB(t, asnPath, mmdbwriter.Options{DatabaseType: "GeoLite2-ASN", DisableIPv4Aliasing: true}, "81.2.69.0/24", mmdbtype.Map{
		"autonomous_system_organization": mmdbtype.String("Example Broadband"),
	})
	l, err := Open("", asnPath)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, l.Close()) })
	want := domain.Place{Network: "Example Broadband"}
	assert.Equal(t, want, l.Locate(netip.MustParseAddr("81.2.69.1")))
	assert.Equal(t, want, l.Locate(netip.MustParseAddr("::ffff:81.2.69.1")))
}

func TestLocateConcurrently(t *testing.T) {
	t.Parallel()
	l := openTest(t, true, true)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			for range 100 {
				assert.Equal(t, bristol, l.Locate(netip.AddrFrom4([4]byte{81, 2, 69, byte(i)})))
				assert.Equal(t, london, l.Locate(netip.MustParseAddr("2a02:c7f::1")))
				assert.Equal(t, domain.Place{}, l.Locate(netip.MustParseAddr("8.8.8.8")))
			}
		})
	}
	wg.Wait()
}

func BenchmarkLocate(b *testing.B) {
	cityPath, asnPath := geoiptest.Write(b, b.TempDir(), places)
	l, err := Open(cityPath, asnPath)
	require.NoError(b, err)
	b.Cleanup(func() { _ = l.Close() })
	ip := netip.MustParseAddr("81.2.69.160")
	b.ReportAllocs()
	for b.Loop() {
		if l.Locate(ip) != bristol {
			b.Fatal("wrong place")
		}
	}
}

// writeDB writes a database made with opts holding rec for cidr, for
// databases that geoiptest does not write.
func writeDB(t *testing.T, path string, opts mmdbwriter.Options, cidr string, rec mmdbtype.Map) {
	t.Helper()
	opts.RecordSize = 24
	tree, err := mmdbwriter.New(opts)
	require.NoError(t, err)
	_, network, err := net.ParseCIDR(cidr)
	require.NoError(t, err)
	require.NoError(t, tree.Insert(network, rec))
	f, err := os.Create(path)
	require.NoError(t, err)
	_, err = tree.WriteTo(f)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}
