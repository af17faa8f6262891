from django.urls import reverse


def test_smoke(provider_a, tech_provider_a, make_saml_service, make_oidc_service, as_user, operator):
    s = make_saml_service(provider_a)
    o = make_oidc_service(provider_a)
    client = as_user(tech_provider_a)
    for url in [
        reverse("members:organisation-detail", args=[provider_a.pk]),
        reverse("members:service-detail", args=[s.pk]),
        reverse("members:service-detail", args=[o.pk]),
        reverse("members:service-edit", args=[s.pk]),
        reverse("members:service-edit", args=[o.pk]),
        reverse("members:service-list"),
        reverse("members:organisation-list"),
        reverse("members:public-register"),
        reverse("members:service-create", args=[provider_a.pk, "saml"]),
        "/api/services/",
    ]:
        assert client.get(url).status_code == 200, url
    staff = as_user(operator)
    for url in [reverse("members:review-queue"), reverse("members:review-policy"), reverse("members:organisation-create")]:
        assert staff.get(url).status_code == 200, url
