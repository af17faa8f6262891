"""Steering-group pages: staff manage seats and proposals, seat holders vote, members answer a
change. Thin: validate, call one service or selector, render."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import member_login_required, operator_required, require_mfa
from members.access import has_role
from members.models import Role
from steering import selectors as selectors
from steering import services as services
from steering.access import holds_seat, seat_holder_required
from steering.forms import (
    CloseVotingForm,
    OpenVotingForm,
    ProposalForm,
    SeatForm,
    SeatUpdateForm,
    SteeringGroupCreateForm,
    SteeringGroupForm,
    TerminateForm,
    VoteForm,
)
from steering.models import ChangeNotice, EligibleSeat, Proposal, Seat, SteeringGroup, Vote
from widgets.breadcrumbs import STEERING_START, breadcrumb_trail
from widgets.list_sorting import list_sorting


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, on the field it names when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Staff ---------------------------------------------------------------------------------


@operator_required
def staff_home(request: HttpRequest) -> HttpResponse:
    sorting = list_sorting(request, selectors.proposal_sorts(), "-created")
    groups = selectors.groups_for_staff(proposal_order=sorting.order_by)
    return render(request, "steering/staff_home.html", {"groups": groups, "sorting": sorting})


@operator_required
def group_create(request: HttpRequest) -> HttpResponse:
    form = SteeringGroupCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.steering_group_create(name=form.cleaned_data["name"], by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The steering group was created."))
            return redirect("steering:staff-home")
    return render(request, "steering/form.html", {"form": form, "title": _("New steering group")})


@operator_required
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(SteeringGroup, pk=pk)
    form = SteeringGroupForm(request.POST or None, instance=SteeringGroup.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.steering_group_update(group=group, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The steering group was saved."))
            return redirect("steering:staff-home")
    return render(request, "steering/form.html", {"form": form, "title": _("Voting rule"), "group": group})


@operator_required
def seat_create(request: HttpRequest, group_pk: int) -> HttpResponse:
    group = get_object_or_404(SteeringGroup, pk=group_pk)
    form = SeatForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.seat_create(group=group, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The seat was added."))
            return redirect("steering:staff-home")
    return render(request, "steering/form.html", {"form": form, "title": _("Add a seat"), "group": group})


@operator_required
def seat_edit(request: HttpRequest, pk: int) -> HttpResponse:
    seat = get_object_or_404(Seat.objects.select_related("group", "holder", "organisation"), pk=pk)
    initial = {"organisation": seat.organisation, "term_start": seat.term_start, "term_end": seat.term_end}
    form = SeatUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.seat_update(seat=seat, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The seat was saved."))
            return redirect("steering:staff-home")
    title = _("Seat of %(holder)s") % {"holder": seat.holder.full_name or seat.holder.email}
    return render(request, "steering/form.html", {"form": form, "title": title, "group": seat.group})


@operator_required
def proposal_create(request: HttpRequest, group_pk: int) -> HttpResponse:
    group = get_object_or_404(SteeringGroup, pk=group_pk)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(group=group, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The proposal was made. Open voting when it is ready."))
            return redirect("steering:staff-proposal", pk=proposal.pk)
    return render(request, "steering/form.html", {"form": form, "title": _("New proposal"), "group": group})


def _staff_proposal(pk: int) -> Proposal:
    return get_object_or_404(
        Proposal.objects.select_related("group", "version", "previous_version", "created_by"), pk=pk
    )


def _render_staff_proposal(request: HttpRequest, proposal: Proposal, *, open_form=None, close_form=None, status=200):
    context = {
        "proposal": proposal,
        "redlines": selectors.proposal_redlines(proposal),
        "open_form": open_form or OpenVotingForm(),
        "close_form": close_form or CloseVotingForm(),
        "vote_count": Vote.objects.filter(proposal=proposal).count(),
        "seat_count": EligibleSeat.objects.filter(proposal=proposal).count(),
        "now": timezone.now(),
        "breadcrumbs": breadcrumb_trail(
            request,
            (_("Steering group"), reverse("steering:staff-home")),
            (proposal.title, reverse("steering:staff-proposal", args=[proposal.pk])),
        ),
    }
    if proposal.is_closed:
        context["seat_votes"] = selectors.eligible_seats_with_votes(proposal)
        context.update(selectors.reactions(proposal))
    return render(request, "steering/staff_proposal.html", context, status=status)


@operator_required
def staff_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_staff_proposal(request, _staff_proposal(pk))


@operator_required
@require_POST
def proposal_open(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _staff_proposal(pk)
    form = OpenVotingForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_open(proposal=proposal, deadline=form.cleaned_data["deadline"], by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Voting is open."))
            return redirect("steering:staff-proposal", pk=proposal.pk)
    return _render_staff_proposal(request, proposal, open_form=form, status=400)


@operator_required
@require_POST
def proposal_close(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _staff_proposal(pk)
    form = CloseVotingForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_close(
                proposal=proposal, by=request.user, effective_date=form.cleaned_data["effective_date"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Voting is closed and the result recorded."))
            return redirect("steering:staff-proposal", pk=proposal.pk)
    return _render_staff_proposal(request, proposal, close_form=form, status=400)


# --- Seat holders --------------------------------------------------------------------------


def voter_required(view):
    """A current seat holder, or someone whose seat was frozen into a proposal when its voting
    opened (their term may have ended since; the frozen set decides). MFA as for all seat holders."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not holds_seat(user) and EligibleSeat.objects.filter(holder=user).exists():
            return require_mfa(request) or view(request, *args, **kwargs)
        return seat_holder_required(view)(request, *args, **kwargs)

    return wrapper


def _get_proposal_for_seat_holder(request: HttpRequest, pk: int) -> Proposal:
    """404 for a proposal the seat holder may not read (a draft, or another group's)."""
    proposal = selectors.proposals_for_seat_holder(request.user).filter(pk=pk).first()
    if proposal is None:
        raise Http404
    return proposal


def _render_voter_proposal(request: HttpRequest, proposal: Proposal, *, form=None, status=200) -> HttpResponse:
    my_vote = Vote.objects.filter(
        proposal=proposal, seat__in=EligibleSeat.objects.filter(proposal=proposal, holder=request.user).values("seat")
    ).first()
    show_tally = proposal.is_closed or not proposal.group.tally_secret_until_close
    context = {
        "proposal": proposal,
        "redlines": selectors.proposal_redlines(proposal),
        "my_vote": my_vote,
        "may_vote": proposal.is_open(at=timezone.now())
        and EligibleSeat.objects.filter(proposal=proposal, holder=request.user).exists(),
        "form": form or VoteForm(initial={"choice": my_vote.choice if my_vote else None}),
        "show_tally": show_tally,
        "tally": (services.tally(proposal) if show_tally else None),
        # A seat holder's pages start at the steering group's dashboard, whatever else they are.
        "breadcrumbs": breadcrumb_trail(
            request, (proposal.title, reverse("steering:proposal", args=[proposal.pk])), start=STEERING_START
        ),
    }
    if proposal.is_closed:
        context["seat_votes"] = selectors.eligible_seats_with_votes(proposal)
    template = "steering/_vote_panel.html" if request.htmx else "steering/proposal.html"
    return render(request, template, context, status=status)


@voter_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_voter_proposal(request, _get_proposal_for_seat_holder(request, pk))


@voter_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _get_proposal_for_seat_holder(request, pk)
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            services.vote_cast(proposal=proposal, by=request.user, choice=form.cleaned_data["choice"])
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return _render_voter_proposal(request, proposal, form=form, status=403)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if request.htmx:
                # The swapped panel says "Your vote: …" in its live region; a flash message would
                # only surface later, on some unrelated page.
                return _render_voter_proposal(request, proposal)
            messages.success(request, _("Your vote was recorded. You can change it until the deadline."))
            return redirect("steering:proposal", pk=proposal.pk)
    return _render_voter_proposal(request, proposal, form=form, status=400)


def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes PDF: for staff (with MFA), and for seat holders who may read the proposal."""
    if request.user.is_authenticated and request.user.is_staff:
        return _staff_minutes(request, pk)
    return _seat_holder_minutes(request, pk)


@operator_required
def _staff_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    return _minutes_response(_staff_proposal(pk))


@voter_required
def _seat_holder_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    return _minutes_response(_get_proposal_for_seat_holder(request, pk))


def _minutes_response(proposal: Proposal) -> HttpResponse:
    if not proposal.is_closed or not proposal.minutes_pdf:
        raise Http404
    response = HttpResponse(bytes(proposal.minutes_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="minutes-{proposal.pk}.pdf"'
    return response


# --- Members -------------------------------------------------------------------------------


def _get_notice_for_member(request: HttpRequest, pk: int) -> ChangeNotice:
    notice = get_object_or_404(ChangeNotice.objects.select_related("proposal", "organisation"), pk=pk)
    if not has_role(request.user, notice.organisation_id, [Role.ADMIN, Role.SIGNATORY]):
        raise Http404
    return notice


@member_login_required
def member_changes(request: HttpRequest) -> HttpResponse:
    notices = selectors.change_notices_for_member(request.user)
    return render(
        request,
        "steering/member_changes.html",
        {"notices": notices, "today": timezone.localdate(), "terminate_form": TerminateForm()},
    )


@member_login_required
def member_change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _get_notice_for_member(request, pk)
    return render(
        request,
        "steering/member_change.html",
        {
            "notice": notice,
            "proposal": notice.proposal,
            "redlines": selectors.proposal_redlines(notice.proposal),
            "today": timezone.localdate(),
            "terminate_form": TerminateForm(),
            "may_terminate": _may_terminate(request, notice),
        },
    )


def _may_terminate(request: HttpRequest, notice: ChangeNotice) -> bool:
    # Terminating signs on the organisation's behalf (the service enforces it); an administrator
    # who is not a signatory is told who can, instead of being offered a form that answers 403.
    return has_role(request.user, notice.organisation_id, [Role.SIGNATORY])


@member_login_required
@require_POST
def member_change_accept(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _get_notice_for_member(request, pk)
    try:
        services.change_accept(notice=notice, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Thank you: your organisation accepts the change."))
    return redirect("steering:member-change", pk=notice.pk)


@member_login_required
@require_POST
def member_change_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _get_notice_for_member(request, pk)
    form = TerminateForm(request.POST)
    if form.is_valid():
        try:
            services.change_terminate(notice=notice, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your organisation's membership ends on the day the change takes effect."))
            return redirect("steering:member-change", pk=notice.pk)
    return render(
        request,
        "steering/member_change.html",
        {
            "notice": notice,
            "proposal": notice.proposal,
            "redlines": selectors.proposal_redlines(notice.proposal),
            "today": timezone.localdate(),
            "terminate_form": form,
            "may_terminate": _may_terminate(request, notice),
        },
        status=400,
    )
