const base = "/api/v2/pegawai"; axios.get('/admin/settings/mail');
fetch(`/rest/laporan/2024`).then(r => r.json()); window.location = "https://app.example.go.id/dashboard?x=1";
// "/internal/debug/vars" and http://127.0.0.2/canary
