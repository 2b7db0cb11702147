// Collaboratives for tests, made through the contract's API (POST /api/v1/collaboratives,
// then .../members).

/**
 * Makes collaborative slug (visibility "public" or "private") led by lead, with members,
 * and returns the id of its #general channel. Each person is { id, token }.
 */
export async function makeCollaborative(server, slug, visibility, lead, members = []) {
  const api = async (method, path, body, token) => {
    const res = await fetch(`${server.baseURL}/api/v1${path}`, {
      method, headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: body && JSON.stringify(body),
    });
    return { status: res.status, json: await res.json().catch(() => null) };
  };
  const made = await api("POST", "/collaboratives", { slug, name: `Group ${slug}`, description: "A working group.", visibility }, lead.token);
  if (made.status === 201) {
    for (const m of members) {
      const r = await api("POST", `/collaboratives/${slug}/members`, { user_id: m.id, role: "member" }, lead.token);
      if (r.status !== 201) throw new Error(`add member: ${r.status} ${JSON.stringify(r.json)}`);
    }
  } else {
    throw new Error(`create collaborative: ${made.status} ${JSON.stringify(made.json)}`);
  }
  const list = await api("GET", `/collaboratives/${slug}/channels`, undefined, lead.token);
  const general = (list.json?.items || []).find((c) => c.name === "general");
  if (!general) throw new Error(`no #general in ${slug}: ${list.status} ${JSON.stringify(list.json)}`);
  return general.id;
}
