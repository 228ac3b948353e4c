package app

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/whisper-schools/whisper/domain"
)

// over must carry every setting of the core it copies: a field added to
// core and forgotten there would quietly be zero for the operator's texts.
func TestOverCopiesEverythingButTheStore(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/London")
	s := New(Deps{
		Clock: SystemClock{}, PublicURL: "https://whisper.example.org", IntakeCacheFor: time.Second, DeviceKey: []byte("device"),
		SSOKey: []byte("sso"), Limits: Limits{ReportsPerIP: 3, TextsPerNumber: 4}, PhoneRegion: "IE", Zone: domain.NewZone(loc),
	}).Delivery.core
	o := s.over(&queueRecorder{})
	sv, ov := reflect.ValueOf(s).Elem(), reflect.ValueOf(o).Elem()
	for i := range sv.NumField() {
		name := sv.Type().Field(i).Name
		switch name {
		case "store":
			assert.IsType(t, &queueRecorder{}, o.store)
		case "intake":
			assert.Equal(t, s.intake.keep, o.intake.keep, "the intake cache keeps as long")
		default:
			// fmt reads unexported fields, which reflect will not hand out.
			assert.Equal(t, fmt.Sprintf("%#v", sv.Field(i)), fmt.Sprintf("%#v", ov.Field(i)), "core.%s is not copied by over", name)
		}
	}
}
