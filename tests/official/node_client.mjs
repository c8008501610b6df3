// Datadog's official TypeScript/JavaScript client (@datadog/datadog-api-client), unchanged,
// against a running ddusers sandbox. Usage: node node_client.mjs BASE_URL USERS_IN_ORG
import { client, v2 } from "@datadog/datadog-api-client";

const [baseUrl, usersInOrg] = [process.argv[2].replace(/\/$/, ""), Number(process.argv[3])];

function configure(appKey) {
  return client.createConfiguration({
    baseServer: new client.BaseServerConfiguration(baseUrl, {}),
    authMethods: { apiKeyAuth: "sandbox-api-key", appKeyAuth: appKey },
  });
}

async function expectStatus(status, call) {
  try {
    await call();
  } catch (error) {
    if (error.code !== status) throw new Error(`expected ${status}, got ${error.code}: ${error.body}`);
    return;
  }
  throw new Error(`expected HTTP ${status}, the call succeeded`);
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

let checks = 0;
const admin = configure("sandbox-admin-app-key");
const users = new v2.UsersApi(admin);
const roles = new v2.RolesApi(admin);

const seen = new Set();
for await (const user of users.listUsersWithPagination({ pageSize: 100 })) seen.add(user.id);
assert(seen.size === usersInOrg, `pagination helper saw ${seen.size} users`);
checks++;

const page = await users.listUsers({ pageSize: 5, sort: "-name", filterStatus: "Pending" });
assert(page.data.length === 5 && page.data.every((u) => u.attributes.status === "Pending"), "status filter");
assert(page.meta.page.totalCount === usersInOrg, "total_count");
checks++;

const created = await users.createUser({
  body: { data: { type: "users", attributes: { email: "Node.Client@Example.com", title: "Tester" } } },
});
const id = created.data.id;
assert(created.data.attributes.status === "Pending", "created users are Pending");
assert(created.data.attributes.email === "node.client@example.com", "emails are lower-cased");
await expectStatus(409, () =>
  users.createUser({ body: { data: { type: "users", attributes: { email: "node.client@example.com" } } } }),
);
checks++;

const updated = await users.updateUser({
  userId: id,
  body: { data: { type: "users", id, attributes: { name: "Node Client" } } },
});
assert(updated.data.attributes.name === "Node Client", "update");
await expectStatus(422, () =>
  users.updateUser({ userId: id, body: { data: { type: "users", id: [...seen][0], attributes: { name: "x" } } } }),
);
checks++;

const sent = await users.sendInvitations({
  body: { data: [{ type: "user_invitations", relationships: { user: { data: { type: "users", id } } } }] },
});
const invitation = await users.getInvitation({ userInvitationUuid: sent.data[0].id });
assert(invitation.data.relationships.user.data.id === id, "invitation user");
await users.deleteUserInvitations({ userId: id });
checks++;

const me = await users.getCurrentUser();
await users.listUserPermissions({ userId: me.data.id });
await users.listUserOrganizations({ userId: id });
checks++;

const allRoles = await roles.listRoles({ pageSize: 100 });
const adminRole = allRoles.data.find((r) => r.attributes.name === "Datadog Admin Role");
assert(adminRole, "the admin role is listed");
await roles.getRole({ roleId: adminRole.id });
await roles.listRolePermissions({ roleId: adminRole.id });
const members = await roles.addUserToRole({ roleId: adminRole.id, body: { data: { type: "users", id } } });
assert(members.data.some((u) => u.id === id), "added to role");
await roles.removeUserFromRole({ roleId: adminRole.id, body: { data: { type: "users", id } } });
const catalogue = await roles.listPermissions();
assert(catalogue.data.length > 100, "permission catalogue");
checks++;

await users.disableUser({ userId: id });
await expectStatus(404, () => users.disableUser({ userId: id }));
checks++;

const reader = new v2.UsersApi(configure("sandbox-readonly-app-key"));
await reader.listUsers({ pageSize: 1 });
await expectStatus(403, () => reader.disableUser({ userId: [...seen][5] }));
checks++;

console.log(`official Node.js client: ${checks} passed, 0 failed`);
