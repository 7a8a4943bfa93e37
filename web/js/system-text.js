// The sentence a system entry of the log stands for ("Ann added Ben"), from its `system`
// object (api.md: type, actorId, userIds, title, role). Pure.

export function systemText(message, { myId, nameOf }) {
  const s = message.system ?? {};
  const who = (id) => (id === myId ? "you" : nameOf(id));
  const actor = s.actorId === myId ? "You" : nameOf(s.actorId);
  const users = list((s.userIds ?? []).map(who));
  switch (s.type) {
    case "created": return s.title ? `${actor} created the group “${s.title}”` : `${actor} created the group`;
    case "members_added": return `${actor} added ${users}`;
    case "member_removed": return `${actor} removed ${users}`;
    case "member_left": return `${actor} left`;
    case "title_changed": return `${actor} renamed the group to “${s.title ?? ""}”`;
    case "role_changed": return `${actor} made ${users} ${s.role === "member" ? "a member" : `an ${s.role}`}`;
    default: return message.content || "The conversation changed";
  }
}

function list(names) {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
