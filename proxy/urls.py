from django.urls import path, re_path

from proxy import staff_views, views

app_name = "proxy"

ENV = r"(?P<environment>test|production)"

urlpatterns = [
    # DESIGN section 5: the contract with the proxy.
    re_path(
        rf"^{ENV}/(?P<name>metadata\.xml|attribute-filter\.xml|satosa-attribute-policy\.yaml|config\.json|oidc-clients\.json|discovery\.json)$",
        views.snapshot_file,
        name="file",
    ),
    re_path(rf"^{ENV}/entities/(?P<identifier>.+)$", views.entity, name="entity"),
    # Login-source logos that discovery.json points at (issue 14).
    re_path(rf"^{ENV}/logos/(?P<name>[0-9a-f]{{64}}\.(?:png|jpg|webp|svg))$", views.logo, name="logo"),
    path("signing-cert.pem", views.signing_certificate, name="signing-cert"),
    # Staff UI.
    path("staff/", staff_views.snapshot_list, name="snapshot-list"),
    path("staff/snapshots/<int:pk>/", staff_views.snapshot_detail, name="snapshot-detail"),
    re_path(
        r"^staff/snapshots/(?P<pk>[0-9]+)/files/(?P<name>[a-z-]+\.(?:xml|json|yaml))$",
        staff_views.snapshot_file_view,
        name="snapshot-file",
    ),
    re_path(
        r"^staff/snapshots/(?P<pk>[0-9]+)/files/(?P<name>[a-z-]+\.(?:xml|json|yaml))/download$",
        staff_views.snapshot_file_download,
        name="snapshot-file-download",
    ),
    path("staff/snapshots/<int:pk>/publish/", staff_views.snapshot_publish_view, name="snapshot-publish"),
    path("staff/build/", staff_views.snapshot_build_view, name="snapshot-build"),
    path("staff/diff/", staff_views.snapshot_diff, name="snapshot-diff"),
    path("staff/keys/", staff_views.proxy_key_list, name="key-list"),
    path("staff/tokens/", staff_views.token_list, name="token-list"),
    path("staff/tokens/<int:pk>/revoke/", staff_views.token_revoke, name="token-revoke"),
]
