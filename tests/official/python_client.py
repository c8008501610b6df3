"""Datadog's official Python client (datadog-api-client), unchanged, against a running
ddusers sandbox. Its typed models are strict, so this checks our shapes as well as our
behaviour. Usage: python_client.py BASE_URL USERS_IN_ORG"""

import sys

from datadog_api_client import ApiClient, Configuration
from datadog_api_client.exceptions import ApiException
from datadog_api_client.v2.api.roles_api import RolesApi
from datadog_api_client.v2.api.users_api import UsersApi
from datadog_api_client.v2.model.relationship_to_user import RelationshipToUser
from datadog_api_client.v2.model.relationship_to_user_data import RelationshipToUserData
from datadog_api_client.v2.model.user_create_attributes import UserCreateAttributes
from datadog_api_client.v2.model.user_create_data import UserCreateData
from datadog_api_client.v2.model.user_create_request import UserCreateRequest
from datadog_api_client.v2.model.user_invitation_data import UserInvitationData
from datadog_api_client.v2.model.user_invitation_relationships import UserInvitationRelationships
from datadog_api_client.v2.model.user_invitations_request import UserInvitationsRequest
from datadog_api_client.v2.model.user_invitations_type import UserInvitationsType
from datadog_api_client.v2.model.user_update_attributes import UserUpdateAttributes
from datadog_api_client.v2.model.user_update_data import UserUpdateData
from datadog_api_client.v2.model.user_update_request import UserUpdateRequest
from datadog_api_client.v2.model.users_type import UsersType


def expect_status(status, call):
    try:
        call()
    except ApiException as error:
        assert error.status == status, f"expected {status}, got {error.status}: {error.body}"
        return error
    raise AssertionError(f"expected HTTP {status}, the call succeeded")


def main(base_url, users_in_org):
    config = Configuration(host=base_url)
    config.api_key["apiKeyAuth"] = "sandbox-api-key"
    config.api_key["appKeyAuth"] = "sandbox-admin-app-key"
    checks = 0
    with ApiClient(config) as client:
        users = UsersApi(client)
        roles = RolesApi(client)

        listed = list(users.list_users_with_pagination(page_size=100))
        assert len(listed) == users_in_org, f"pagination helper saw {len(listed)} users"
        assert len({u.id for u in listed}) == users_in_org
        checks += 1

        page = users.list_users(page_size=5, page_number=1, sort="email", sort_dir="asc", filter_status="Active")
        assert len(page.data) == 5 and page.meta.page.total_count == users_in_org
        assert all(u.attributes.status == "Active" for u in page.data)
        checks += 1

        body = UserCreateRequest(
            data=UserCreateData(
                type=UsersType.USERS,
                attributes=UserCreateAttributes(email="Official.Client@Example.com", name="Official Client"),
            )
        )
        created = users.create_user(body=body)
        user_id = created.data.id
        assert created.data.attributes.status == "Pending"
        assert created.data.attributes.email == "official.client@example.com"
        expect_status(409, lambda: users.create_user(body=body))
        checks += 1

        fetched = users.get_user(user_id=user_id)
        assert fetched.data.id == user_id
        update = UserUpdateRequest(
            data=UserUpdateData(type=UsersType.USERS, id=user_id, attributes=UserUpdateAttributes(name="Renamed"))
        )
        assert users.update_user(user_id=user_id, body=update).data.attributes.name == "Renamed"
        wrong = UserUpdateRequest(
            data=UserUpdateData(type=UsersType.USERS, id=listed[0].id, attributes=UserUpdateAttributes(name="x"))
        )
        expect_status(422, lambda: users.update_user(user_id=user_id, body=wrong))
        expect_status(404, lambda: users.get_user(user_id="00000000-dead-beef-dead-ffffffffffff"))
        checks += 1

        invitation_body = UserInvitationsRequest(
            data=[
                UserInvitationData(
                    type=UserInvitationsType.USER_INVITATIONS,
                    relationships=UserInvitationRelationships(
                        user=RelationshipToUser(data=RelationshipToUserData(id=user_id, type=UsersType.USERS))
                    )
                )
            ]
        )
        sent = users.send_invitations(body=invitation_body)
        invitation_id = sent.data[0].id
        got = users.get_invitation(user_invitation_uuid=invitation_id)
        assert got.data.relationships.user.data.id == user_id
        checks += 1

        me = users.get_current_user()
        assert me.data.attributes.email
        users.list_user_organizations(user_id=user_id)
        users.list_user_permissions(user_id=me.data.id)
        checks += 1

        all_roles = roles.list_roles(page_size=100)
        names = {r.attributes.name for r in all_roles.data}
        assert "Datadog Admin Role" in names, names
        admin_role = next(r for r in all_roles.data if r.attributes.name == "Datadog Admin Role")
        roles.get_role(role_id=admin_role.id)
        roles.list_role_permissions(role_id=admin_role.id)
        roles.list_role_users(role_id=admin_role.id, page_size=10)
        membership = RelationshipToUser(data=RelationshipToUserData(id=user_id, type=UsersType.USERS))
        added = roles.add_user_to_role(role_id=admin_role.id, body=membership)
        assert any(u.id == user_id for u in added.data)
        removed = roles.remove_user_from_role(role_id=admin_role.id, body=membership)
        assert not any(u.id == user_id for u in removed.data)
        catalogue = roles.list_permissions()
        assert len(catalogue.data) > 100
        checks += 1

        users.disable_user(user_id=user_id)
        expect_status(404, lambda: users.disable_user(user_id=user_id))
        checks += 1

    readonly = Configuration(host=base_url)
    readonly.api_key["apiKeyAuth"] = "sandbox-api-key"
    readonly.api_key["appKeyAuth"] = "sandbox-readonly-app-key"
    with ApiClient(readonly) as client:
        users = UsersApi(client)
        users.list_users(page_size=1)
        expect_status(403, lambda: users.disable_user(user_id=listed[-1].id))
        checks += 1

    print(f"official Python client: {checks} passed, 0 failed")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), int(sys.argv[2]))
